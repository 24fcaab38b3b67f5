"""Action limits: definitions, storage and breaches per window, on small hand-checked logs."""

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.table import create_log_table
from mldebt_core.monitoring.limits import (
    ActionLimit,
    LimitError,
    breaches,
    delete_limit,
    limits_table,
    list_limits,
    save_limit,
)
from mldebt_core.store import Store, ingest_scan
from tests.conftest import run
from tests.monitoring.helpers import limits_of
from tests.store_helpers import SAMPLE_BYTES

T0 = datetime(2026, 3, 1, 9)


def log_store(rows: list[tuple], store: Store | None = None) -> Store:
    """A store (new in memory, or `store`) whose system 'shop' has a log of (ts, model, segment, prediction,
    action) rows."""
    store = Store(":memory:") if store is None else store
    with store.transaction() as cursor:
        schema = create_log_table(cursor, "shop", [("age", "numeric")])
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, segment, prediction, action) "
                           "VALUES (1, ?, ?, ?, ?, ?)", rows)
    return store


def hour(h: int, model: str, actions: list[str | None], prediction: float = 0.5) -> list[tuple]:
    """Rows spread over hour `h` after T0, one per action."""
    return [(T0 + timedelta(hours=h, seconds=i), model, "holdout" if a is None else "treatment", prediction, a)
            for i, a in enumerate(actions)]


ROWS = (hour(0, "m1", ["true"] * 20 + ["false"] * 20 + [None] * 10)  # share 20/40 = 0.5: breach
        + hour(1, "m1", ["YES "] * 10 + ["no"] * 30)  # 10/40 = 0.25
        + hour(2, "m1", ["1"] * 10)  # 1.0, but only 10 rows: not judged
        + hour(0, "m2", ["offer"] * 15 + ["none"] * 25, prediction=0.9)  # 0/40 by default; 15/40 with 'offer'
        + hour(1, "m2", ["2.5"] * 5 + ["0"] * 35, prediction=0.1))  # numbers: 5/40


@pytest.fixture
def store():
    return log_store(ROWS)


def test_share_of_positive_actions_per_hour_breaches_where_planted(store):
    limit = save_limit(store, "shop", ActionLimit("positive_share", "hour", upper=0.35))
    result = limits_of(store, "shop")
    m1 = result[result["model"] == "m1"]
    assert m1["value"].tolist() == [0.5, 0.25, 1.0]
    assert m1["rows"].tolist() == [40, 40, 10]  # rows with an action: the holdout's NULL counts in neither
    assert m1["judged"].tolist() == [True, True, False]
    m2 = result[result["model"] == "m2"]
    assert m2["value"].tolist() == [0.0, 5 / 40]  # 'offer' is not positive by default; '2.5' is
    found = breaches(result)
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["model"], row["window_start"], row["value"], row["upper"]) == ("m1", T0, 0.5, 0.35)
    assert row["window_end"] == T0 + timedelta(hours=1)
    assert row["limit_id"] == limit.id
    assert row["unit"] == "share of the rows with an action, 0-1"
    assert row["meaning"] == "share of positive actions per hour at most 0.35, for every model"


def test_a_chosen_positive_value_and_a_model_of_its_own(store):
    save_limit(store, "shop", ActionLimit("positive_actions", "day", upper=10, model="m2", positive="Offer"))
    result = limits_of(store, "shop")
    assert result["model"].tolist() == ["m2"]
    assert result["value"].tolist() == [20.0]  # 15 'offer' + 5 '2.5', all in one day
    assert result["breached"].tolist() == [True]
    assert limits_of(store, "shop", model="m1").empty  # the limit is m2's only


def test_mean_prediction_within_bounds(store):
    save_limit(store, "shop", ActionLimit("mean_prediction", "hour", lower=0.2, upper=0.8))
    found = breaches(limits_of(store, "shop"))
    assert found["model"].tolist() == ["m2", "m2"]
    assert found["value"].tolist() == pytest.approx([0.9, 0.1])


def test_limits_are_stored_once_listed_and_removed(store):
    first = save_limit(store, "shop", ActionLimit("positive_share", "hour", upper=0.35))
    again = save_limit(store, "shop", ActionLimit("positive_share", "hour", upper=0.35))
    other = save_limit(store, "shop", ActionLimit("mean_prediction", "day", lower=0.1, model="m1"))
    assert first.id == again.id != other.id
    assert list_limits(store, "shop") == [first, other]
    assert list_limits(store, "shop", model="m2") == [first]  # m1's own limit does not apply to m2
    table = limits_table(list_limits(store, "shop"))
    assert table["meaning"].tolist() == ["share of positive actions per hour at most 0.35, for every model",
                                         "mean prediction per day at least 0.1, for model m1"]
    assert delete_limit(store, "shop", first.id) == first
    assert list_limits(store, "shop") == [other]
    with pytest.raises(LimitError, match=f"limit {first.id}: system shop has no limit with this id"):
        delete_limit(store, "shop", first.id)


def test_a_limit_needs_a_system_and_is_judged_on_its_log():
    store = Store(":memory:")
    with pytest.raises(LimitError, match="there is no system 'nothing'"):
        save_limit(store, "nothing", ActionLimit("positive_share", "hour", upper=0.35))
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")  # a system with a scan and no log: nothing to judge yet
    save_limit(store, "churn-system", ActionLimit("positive_share", "hour", upper=0.35))
    with pytest.raises(NoLogError, match="has no prediction log"):
        limits_of(store, "churn-system")
    unlimited = log_store(ROWS)
    assert limits_of(unlimited, "shop").empty
    assert list(breaches(limits_of(unlimited, "shop")).columns)[:3] == ["limit_id", "metric", "window"]


@pytest.mark.parametrize("arguments, message", [
    (("share", "hour", None, 0.3), "unknown metric 'share'"),
    (("positive_share", "minute", None, 0.3), "unknown window 'minute'"),
    (("positive_share", "hour", None, None), "give a lower bound, an upper bound or both"),
    (("positive_share", "hour", None, 1.5), "share from 0 to 1"),
    (("positive_actions", "day", -1, None), "cannot be negative"),
    (("mean_prediction", "day", 0.8, 0.2), "lower bound 0.8 is above the upper bound 0.2"),
    (("mean_prediction", "day", float("nan"), None), "finite numbers"),
])
def test_bad_limits_are_refused_with_a_reason(arguments, message):
    with pytest.raises(LimitError, match=message):
        ActionLimit(*arguments)


def test_the_limits_command_adds_lists_reports_breaches_and_removes(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    with Store(db) as store:
        log_store(ROWS, store)
    code, out, err = run(["--db", db, "limits", "--system", "shop", "--add", "positive_share", "--per", "hour",
                          "--at-most", "0.35"], capsys)
    assert (code, err) == (0, "")
    added = json.loads(out)
    assert added[0]["limit_id"] == 1 and added[0]["unit"] == "share of the rows with an action, 0-1"
    code, out, _ = run(["--db", db, "limits", "--system", "shop", "--format", "csv"], capsys)
    breached = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(b["model"], b["window_start"], b["value"]) for b in breached] == [
        ("m1", "2026-03-01 09:00:00", "0.5")]
    code, out, _ = run(["--db", db, "limits", "--system", "shop", "--list", "--format", "csv"], capsys)
    assert out.splitlines()[0] == "limit_id,model,metric,window,lower,upper,positive,unit,meaning"
    assert run(["--db", db, "limits", "--system", "shop", "--remove", "1"], capsys)[0] == 0
    code, out, err = run(["--db", db, "limits", "--system", "shop", "--remove", "1"], capsys)
    assert (code, out) == (2, "")
    assert err == "mldebt: error: limit 1: system shop has no limit with this id (see `mldebt limits --system shop " \
                  "--list`)\n"


@pytest.mark.parametrize("arguments, message", [
    (["--add", "positive_share", "--at-most", "0.3"], "--add needs --per hour, day or week"),
    (["--at-most", "0.3"], "--per, --at-most, --at-least and --positive describe a new limit: use them with --add"),
    (["--add", "positive_share", "--per", "hour"], "limit: give a lower bound, an upper bound or both"),
    (["--list", "--remove", "1"], "argument --remove: not allowed with argument --list"),
])
def test_the_limits_command_refuses_an_unclear_limit_in_one_line(tmp_path, capsys, arguments, message):
    db = str(tmp_path / "cli.duckdb")
    with Store(db) as store:
        log_store(ROWS, store)
    code, out, err = run(["--db", db, "limits", "--system", "shop", *arguments], capsys)
    assert (code, out) == (2, "")
    assert message in err and len(err.splitlines()) == 1


@settings(max_examples=60, deadline=None)
@given(bounds=st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted), window=st.sampled_from(["hour", "day", "week"]),
       model=st.none() | st.text(min_size=1).filter(str.strip),
       positive=st.none() | st.text(min_size=1).filter(str.strip))
@pytest.mark.slow
def test_any_valid_limit_is_stored_and_read_back_exactly(bounds, window, model, positive):
    store = Store(":memory:")
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    limit = ActionLimit("positive_share", window, bounds[0], bounds[1], model, positive)
    stored = save_limit(store, "churn-system", limit)
    assert list_limits(store, "churn-system") == [stored] and stored == replace(limit, id=stored.id)
    assert save_limit(store, "churn-system", limit) == stored  # the same limit again: still one
