"""`mldebt debts` and `mldebt triage` on the sample system: the ranked list, triage by stable id, one-line errors."""

import csv
import io
import json

import pytest

from mldebt_core.store import Store, ingest_scan
from tests.conftest import DEMO_SCAN, run

SYSTEM = "churn-system"


@pytest.fixture
def db(sample_db):
    return sample_db


def debts(db, capsys, *extra) -> list[dict]:
    code, out, err = run(["--db", db, "debts", "--system", SYSTEM, *extra], capsys)
    assert code == 0, err
    return json.loads(out)


def test_debts_merge_the_scan_and_the_analyses_worst_first(db, capsys):
    rows = debts(db, capsys)
    assert {"scan", "monitoring", "feedback"} <= {row["source"] for row in rows}
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(row["next_step"] and row["status"] == "open" for row in rows)
    assert debts(db, capsys, "--top", "3") == rows[:3]


def test_debts_as_csv_has_one_row_per_debt(db, capsys):
    code, out, _ = run(["--db", db, "debts", "--system", SYSTEM, "--format", "csv", "--top", "5"], capsys)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 5 and table[0]["finding_id"] and float(table[0]["score"]) >= float(table[4]["score"])


def test_a_triaged_debt_leaves_the_open_list_and_keeps_its_reason(db, capsys):
    first = debts(db, capsys)[0]
    code, _, err = run(["--db", db, "triage", first["finding_id"], "--status", "accepted", "--owner", "ana",
                        "--note", "replaced next quarter", "--author", "bo"], capsys)
    assert code == 0 and f"{first['finding_id']} of {SYSTEM}: accepted, owner ana" in err
    assert first["finding_id"] not in {row["finding_id"] for row in debts(db, capsys)}
    everything = {row["finding_id"]: row for row in debts(db, capsys, "--all")}
    assert (everything[first["finding_id"]]["status"], everything[first["finding_id"]]["note"]) == (
        "accepted", "replaced next quarter")


def test_triage_needs_the_system_when_several_have_the_finding(db, capsys):
    with Store(db) as store:
        ingest_scan(store, DEMO_SCAN.read_bytes(), "copy.json", system="other-system")
    finding_id = json.loads(DEMO_SCAN.read_text())["findings"][0]["id"]
    code, _, err = run(["--db", db, "triage", finding_id, "--status", "fixed"], capsys)
    assert code == 2 and "found in several systems (churn-system, other-system): say which with --system" in err
    code, _, err = run(["--db", db, "triage", finding_id, "--status", "fixed", "--system", "other-system"], capsys)
    assert code == 0 and "of other-system: fixed" in err


@pytest.mark.parametrize("argv, expected", [
    (["triage", "nothing:1", "--status", "open"], "no scan or analysis of any system has this finding"),
    (["triage", "{id}", "--status", "wont_fix"], "give the reason as the note"),
    (["triage", "{id}", "--status", "done"], "invalid choice: 'done'"),
    (["debts", "--system", "nobody"], "--system: no system named 'nobody'"),
    (["debts", "--system", SYSTEM, "--top", "0"], "--top: expected a positive number of debts, got 0"),
    (["debts", "--system", SYSTEM, "--min-confidence", "101"], "--min-confidence: expected a percentage"),
])
def test_bad_arguments_are_one_line_with_exit_2(db, capsys, argv, expected):
    finding_id = json.loads(DEMO_SCAN.read_text())["findings"][0]["id"]
    code, out, err = run(["--db", db, *[a.replace("{id}", finding_id) for a in argv]], capsys)
    assert code == 2 and expected in err and "Traceback" not in err and out == ""
