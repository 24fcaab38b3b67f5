"""`mldebt drift` and `mldebt bias`: outputs, reference options, stored profiles and one-line errors."""

import csv
import io
import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from mldebt_core.logs.table import create_log_table
from mldebt_core.store import Store
from tests.conftest import run

DAY0 = datetime(2026, 3, 2)


@pytest.fixture
def db(tmp_path):
    """A database file whose system 'churn' logs 200 rows a day for 10 days; 'plan' gains 'vip' from day 8."""
    rng = np.random.default_rng(1)
    path = tmp_path / "m.duckdb"
    with Store(path) as store, store.transaction() as cursor:
        schema = create_log_table(cursor, "churn", [("age", "numeric"), ("plan", "categorical")])
        rows = []
        for day in range(10):
            plans = rng.choice(["basic", "pro"] + (["vip"] if day >= 8 else []), 200)
            for k in range(200):
                prediction = float(rng.random())
                rows.append((DAY0 + timedelta(days=day, minutes=7 * k), "m", prediction,
                             float(rng.random() < prediction), float(rng.normal()), str(plans[k])))
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction, label, f_0, f_1) "
                           "VALUES (1, ?, ?, ?, ?, ?, ?)", rows)
    return str(path)


def test_drift_writes_json_rows_and_a_summary_line(db, capsys):
    code, out, err = run(["--db", db, "drift", "--system", "churn"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3 * 10 and {r["column"] for r in rows} == {"prediction", "age", "plan"}
    vip = [r for r in rows if r["column"] == "plan" and r["level"] == "alert"]
    assert [r["window_start"][:10] for r in vip] == ["2026-03-10", "2026-03-11"]
    assert vip[0]["new_categories"] == ["vip"] and vip[0]["ks"] is None
    assert err.startswith("mldebt: churn against first 7 days (2026-03-02 00:00 to 2026-03-09 00:00, 1,400 rows, "
                          "exact statistics, fixed levels): 2 alert and ")
    assert err.splitlines()[0].endswith("window(s) in plan")
    assert err.splitlines()[1] == "mldebt: recorded the findings of churn: monitoring: 2 finding(s)"


def test_drift_csv_with_a_range_reference_and_week_windows(db, capsys):
    code, out, err = run(["--db", db, "drift", "--system", "churn", "--reference", "2026-03-02", "2026-03-05T00:00",
                          "--window", "week", "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["window_start"][:10] for r in rows} == {"2026-03-02", "2026-03-09"}
    assert [r["new_categories"] for r in rows if r["column"] == "plan"] == ["", "vip"]
    assert "against 2026-03-02 00:00:00 to 2026-03-05 00:00:00" in err


def test_a_saved_profile_is_used_by_name_later(db, capsys):
    code, _, err = run(["--db", db, "drift", "--system", "churn", "--reference-days", "3", "--save-profile", "march"],
                       capsys)
    assert code == 0 and "saved reference profile 'march' of churn (first 3 days)" in err
    code, out, err = run(["--db", db, "drift", "--system", "churn", "--reference-profile", "march", "--adaptive"],
                         capsys)
    assert code == 0 and "against stored profile 'march'" in err and "grid statistics, adaptive levels" in err
    assert len(json.loads(out)) == 30


@pytest.mark.parametrize("argv, message", [
    (["drift", "--system", "churn", "--reference", "2026-03-02", "soon"],
     "--reference: expected a date like 2026-03-01 or a date-time like 2026-03-01T12:00, got 'soon'"),
    (["drift", "--system", "churn", "--reference", "2027-01-01", "2027-02-01"], "lies outside the log of 'churn'"),
    (["drift", "--system", "churn", "--reference-profile", "june"], "has no reference profile 'june'"),
    (["drift", "--system", "churn", "--reference-profile", "june", "--save-profile", "x"],
     "--save-profile stores a period of the log; it cannot be combined with --reference-profile"),
    (["drift", "--system", "shop"], "system 'shop' has no prediction log"),
    (["drift", "--system", "churn", "--reference-days", "1", "--adaptive"], "adaptive levels need at least two days"),
    (["bias", "--system", "churn", "--model", "v9"], "has no rows of model 'v9'"),
])
def test_bad_options_get_one_line_and_exit_2(db, capsys, argv, message):
    code, out, err = run(["--db", db, *argv], capsys)
    assert code == 2 and out == ""
    assert err.startswith("mldebt: error: ") and message in err and len(err.strip().splitlines()) == 1


def test_bias_per_window_and_calibration(db, capsys):
    code, out, err = run(["--db", db, "bias", "--system", "churn"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 10 and rows[0]["task"] == "classification" and {"p05", "p95", "bias"} <= set(rows[0])
    assert err.startswith("mldebt: churn (classification): ") and "of 10 day(s)" in err
    code, out, _ = run(["--db", db, "bias", "--system", "churn", "--calibration", "--format", "csv"], capsys)
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(table) == 10 and sum(int(r["rows"]) for r in table) == 2000


@pytest.mark.slow
def test_a_reader_that_leaves_early_ends_the_command_quietly(db):
    """`mldebt drift … | head`: the closed pipe is not an error of ours (no traceback, exit 0)."""
    import subprocess
    import sys

    command = subprocess.Popen([sys.executable, "-m", "mldebt_core.cli", "--db", db, "drift", "--system", "churn",
                                "--window", "hour", "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert command.stdout.read(100).startswith(b"window")  # the header, then the reader goes away
    command.stdout.close()
    assert command.wait(timeout=60) == 0
    assert b"Traceback" not in command.stderr.read()
