"""Up-stream producers: per-window health of every feature, on small hand-checked logs, and the lineage of
their declared sources in the sample scan."""

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
import pytest

from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.sample import read_log
from mldebt_core.logs.table import create_log_table, load_log_schema
from mldebt_core.monitoring.producers import (
    ProducerError,
    feature_sources,
    link_source,
    source_health,
    unlink_source,
)
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, ProducerSettings
from mldebt_core.store import Store, ingest_scan
from tests.conftest import run
from tests.monitoring.helpers import producers
from tests.store_helpers import SAMPLE_BYTES

SYSTEM = "churn-system"  # the sample scan's system, so that sources can be linked
DAY0 = datetime(2026, 3, 1)
REFERENCE = (DAY0, DAY0 + timedelta(days=3))
EVENTS = "url:s3://crm-exports/events/latest.csv"


def make_log(store: Store, broken: bool = True, days: int = 10, per_day: int = 100) -> None:
    """`per_day` rows a day. calls: 0..99, half null on days 5-6, all null from day 8; spend: 0..99, sent in
    cents (x100) on day 7; plan: 'a'/'b'. With broken=False every day is like the first."""
    rows = []
    for day in range(days):
        for i in range(per_day):
            ts = DAY0 + timedelta(days=day, minutes=i * (1440 // per_day))
            calls = None if broken and (day >= 8 or (day in (5, 6) and i % 2)) else float(i % 100)
            spend = float(i % 100) * (100 if broken and day == 7 else 1)
            rows.append((ts, 0.3, calls, spend, "ab"[i % 2]))
    with store.transaction() as cursor:
        schema = create_log_table(cursor, SYSTEM, [("calls", "numeric"), ("spend", "numeric"), ("plan", "categorical")])
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction, f_0, f_1, f_2) "
                           "VALUES (1, ?, 'm1', ?, ?, ?, ?)", rows)


def days_of(windows, feature: str, check: str) -> list[int]:
    rows = windows[(windows["feature"] == feature) & windows[check]]
    return [(ts - DAY0).days for ts in rows["window_start"]]


@pytest.fixture
def store():
    store = Store(":memory:")
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    return store


def test_the_broken_producer_is_found_on_the_right_days(store):
    make_log(store)
    report = producers(store, SYSTEM, *REFERENCE, window="day")
    windows = report.windows
    assert days_of(windows, "calls", "nulls") == [5, 6, 8, 9]
    assert days_of(windows, "calls", "sudden_change") == [5, 6, 8, 9]  # trailing medians stay 0 for 4 days
    assert days_of(windows, "spend", "out_of_range") == [7]
    assert days_of(windows, "plan", "flagged") == [] and days_of(windows, "calls", "out_of_range") == []
    calls = windows[windows["feature"] == "calls"]
    assert calls["null_rate"].tolist() == [0, 0, 0, 0, 0, 0.5, 0.5, 0, 1, 1]
    assert calls["rows"].tolist() == [100] * 10 and calls["delivered"].tolist()[5] == 50
    # the reference holds 0..99 three times: its 0.5 % and 99.5 % quantiles are 0 and 99, so in cents
    # every spend but 0 is out of range
    assert calls["out_of_range_share"].max() == 0
    spend = windows[windows["feature"] == "spend"]
    assert spend["out_of_range_share"].tolist() == [0] * 7 + [0.99, 0, 0]

    health = report.health
    assert health["feature"].tolist() == ["calls", "spend", "plan"]  # worst first
    assert health["status"].tolist() == ["alert", "warn", "ok"]
    calls = health.iloc[0]
    assert calls["issues"] == "nulls, sudden_change, stale"
    assert calls["flagged_windows"] == 4 and calls["first_flagged"] == DAY0 + timedelta(days=5)
    assert calls["last_value_at"] == DAY0 + timedelta(days=7, minutes=99 * 14)
    assert calls["hours_since_last_value"] == pytest.approx(48.0)  # the log ends at the same minute of day 9
    assert calls["null_rate"] == pytest.approx((50 + 50 + 200) / 1000)
    assert calls["delivered_per_window"] == [100, 100, 100, 100, 100, 50, 50, 100, 0, 0]
    assert health.iloc[1]["issues"] == "out_of_range"


def test_a_clean_log_gives_nothing(store):
    make_log(store, broken=False)
    report = producers(store, SYSTEM, *REFERENCE, window="day")
    assert not report.windows["flagged"].any()
    assert report.health["status"].tolist() == ["ok"] * 3 and set(report.health["issues"]) == {""}


def test_windows_with_too_few_rows_are_never_flagged(store):
    make_log(store)  # about 4 rows an hour: below ProducerSettings.min_rows_per_window
    report = producers(store, SYSTEM, *REFERENCE, window="hour")
    assert not report.windows["judged"].any() and not report.windows["flagged"].any()
    assert report.health.iloc[0]["issues"] == "stale"  # freshness does not depend on the window


def test_a_declared_source_tells_which_scanned_models_it_feeds(store):
    make_log(store)
    assert link_source(store, SYSTEM, "calls", EVENTS) == EVENTS
    assert link_source(store, SYSTEM, "plan", "data/raw/plans_v3.csv") == "file:data/raw/plans_v3.csv"
    assert feature_sources(store, SYSTEM) == {"calls": EVENTS, "plan": "file:data/raw/plans_v3.csv"}
    health = producers(store, SYSTEM, *REFERENCE).health.set_index("feature")
    # the CRM events feed the churn model, and through its scores the upsell model (a correction cascade)
    assert health.loc["calls", "feeds"] == ["file:models/churn_model.joblib", "file:models/upsell_model.joblib"]
    assert pd.isna(health.loc["spend", "source"]) and health.loc["spend", "feeds"] == []
    sources = source_health(producers(store, SYSTEM, *REFERENCE).health)
    assert sources["source"].tolist() == [EVENTS, "file:data/raw/plans_v3.csv"]
    assert sources["status"].tolist() == ["alert", "ok"] and sources["unhealthy"].tolist() == [1, 0]
    unlink_source(store, SYSTEM, "plan")
    assert feature_sources(store, SYSTEM) == {"calls": EVENTS}


def test_bad_links_and_references_are_refused(store):
    with pytest.raises(NoLogError, match="has no prediction log"):
        producers(store, SYSTEM, *REFERENCE)
    make_log(store)
    with pytest.raises(ProducerError, match=r"'tenure' is no feature of the log of 'churn-system' \(features: calls"):
        link_source(store, SYSTEM, "tenure", EVENTS)
    with pytest.raises(ProducerError, match="'data/x.csv' is no artifact of the latest scan"):
        link_source(store, SYSTEM, "calls", "data/x.csv")
    with pytest.raises(ProducerError, match="'spend' has no declared source"):
        unlink_source(store, SYSTEM, "spend")
    with pytest.raises(NoLogError, match="has no rows of model 'm2'"):
        producers(store, SYSTEM, *REFERENCE, model="m2")


def test_a_system_without_scan_cannot_link_sources():
    store = Store(":memory:")
    make_log(store)
    with pytest.raises(ProducerError, match="has no scan"):
        link_source(store, SYSTEM, "calls", EVENTS)


def test_a_large_reference_takes_its_numeric_range_from_every_kth_row(store):
    make_log(store)
    sampled = ProducerSettings(range_sample_rows=30)  # 300 reference rows: every 10th row, values 0, 10, ... 90
    windows = producers(store, SYSTEM, *REFERENCE, settings=sampled).windows
    calls = windows[windows["feature"] == "calls"]
    assert calls["out_of_range_share"].iloc[0] == pytest.approx(0.09)  # 91..99 lie above the sample's 99.5 %
    assert not calls["out_of_range"].any()  # far below ProducerSettings.out_of_range_share


def test_the_producers_command_links_sources_and_reports_worst_first(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    with Store(db) as store:
        ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
        make_log(store)
    code, out, err = run(["--db", db, "producers", "--system", SYSTEM, "--reference-days", "3",
                          "--link", f"calls={EVENTS}"], capsys)
    assert code == 0 and err.splitlines() == [
        f"mldebt: the feature sources changed: recorded the findings of {SYSTEM}: monitoring: 5 finding(s)",
        f"mldebt: not recorded as findings of {SYSTEM}: only a run with the defaults records them"]
    health = json.loads(out)
    assert [(h["feature"], h["status"]) for h in health] == [("calls", "alert"), ("spend", "warn"), ("plan", "ok")]
    assert health[0]["feeds"] == ["file:models/churn_model.joblib", "file:models/upsell_model.joblib"]
    assert "delivered_per_window" not in health[0]  # sparkline series: see --by window
    code, out, _ = run(["--db", db, "producers", "--system", SYSTEM, "--by", "source", "--format", "csv"], capsys)
    assert out.splitlines()[1].startswith(f"{EVENTS},alert,['calls'],1,")  # the link was kept
    code, out, _ = run(["--db", db, "producers", "--system", SYSTEM, "--by", "window", "--window", "week",
                        "--unlink", "calls", "--format", "csv"], capsys)
    assert out.splitlines()[0].startswith("feature,kind,window_start,rows,delivered,null_rate")
    assert len(out.splitlines()) == 1 + 3 * 3  # 3 features x 3 weeks from Monday: 1 March, 2-8, 9-10


@pytest.mark.parametrize("arguments, message", [
    (["--link", "calls"], "--link calls: expected FEATURE=ARTIFACT"),
    (["--link", "calls=file:nowhere.csv"], "'file:nowhere.csv' is no artifact of the latest scan"),
    (["--reference-days", "0"], "reference days must be at least 1"),
])
def test_the_producers_command_refuses_bad_arguments_in_one_line(tmp_path, capsys, arguments, message):
    db = str(tmp_path / "cli.duckdb")
    with Store(db) as store:
        ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
        make_log(store)
    code, out, err = run(["--db", db, "producers", "--system", SYSTEM, *arguments], capsys)
    assert (code, out) == (2, "")
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_a_sampled_log_finds_the_same_broken_producer_with_exact_volumes(store):
    make_log(store, per_day=1000)
    exact = producers(store, SYSTEM, *REFERENCE, window="day").windows
    sample = read_log(store, load_log_schema(store, SYSTEM), settings=replace(DEFAULT_DRIFT_SETTINGS, sample_rows=400))
    sampled = producers(store, SYSTEM, *REFERENCE, window="day", sample=sample).windows
    assert sample.sampled
    same = ["feature", "window_start", "rows", "delivered", "null_rate", "nulls", "sudden_change", "out_of_range"]
    pd.testing.assert_frame_equal(sampled[same], exact[same])
