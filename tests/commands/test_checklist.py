"""`mldebt checklist` and `mldebt answer` on the sample system: the JSON's shape, Markdown, answers that override
the evidence until withdrawn, and one-line errors (exit 2)."""

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT, run

SYSTEM = "churn-system"


@pytest.fixture
def db(sample_db):
    return sample_db


def checklist(db, capsys) -> dict:
    code, out, err = run(["--db", db, "checklist", "--system", SYSTEM], capsys)
    assert code == 0, err
    return json.loads(out)


def test_the_json_holds_both_scores_with_their_evidence(db, capsys):
    data = checklist(db, capsys)
    assert data["system"] == SYSTEM and [q["id"] for q in data["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert [q["score"] for q in data["questions"]] == [1, 2, 1, 0, 1]
    assert all(q["answer"] is None and q["score"] == q["computed_score"] for q in data["questions"])
    q4 = data["questions"][3]
    assert q4["question"] == "Does improving one model or signal degrade others?"
    assert any("correction_cascade:" in finding for e in q4["evidence"] for finding in e["findings"])
    score = data["ml_test_score"]
    assert [s["name"] for s in score["sections"]] == ["Tests for Features and Data", "Tests for Model Development",
                                                       "Tests for ML Infrastructure", "Monitoring Tests for ML"]
    assert [s["score"] for s in score["sections"]] == [0.0, 0.0, 0.0, 1.5] and score["score"] == 0.0
    monitor_2 = score["sections"][3]["tests"][1]
    assert (monitor_2["id"], monitor_2["points"], monitor_2["source"]) == ("monitor-2", 0.5, "evidence")
    assert monitor_2["title"] == "Data invariants hold for inputs" and monitor_2["evidence"][0]["findings"]


def test_markdown_reads_as_a_report(db, capsys):
    code, out, _ = run(["--db", db, "checklist", "--system", SYSTEM, "--format", "markdown"], capsys)
    assert code == 0 and out.startswith(f"# Audit of {SYSTEM}\n")
    assert "### q2. What is the transitive closure of all data dependencies?" in out
    assert "**Final score: 0** (the lowest section's): More of a research project" in out


def test_answers_override_the_evidence_until_withdrawn(db, capsys):
    code, _, err = run(["--db", db, "answer", "--system", SYSTEM, "q3", "--score", "3", "--reason",
                        "labels arrive within a day", "--author", "ana"], capsys)
    assert code == 0 and err.strip() == f"mldebt: q3 of {SYSTEM}: score 3 (ana)"
    code, _, err = run(["--db", db, "answer", "--system", SYSTEM, "infra-6", "--points", "0.5", "--reason",
                        "canary by hand"], capsys)
    assert code == 0 and "infra-6 of churn-system: points 0.5" in err
    data = checklist(db, capsys)
    q3 = data["questions"][2]
    assert (q3["score"], q3["computed_score"]) == (3, 1)
    assert {k: q3["answer"][k] for k in ("score", "reason", "author")} == {
        "score": 3, "reason": "labels arrive within a day", "author": "ana"}
    infra_6 = data["ml_test_score"]["sections"][2]["tests"][5]
    assert (infra_6["points"], infra_6["source"], data["ml_test_score"]["sections"][2]["score"]) == (0.5, "team", 0.5)
    code, _, err = run(["--db", db, "answer", "--system", SYSTEM, "q3", "--withdraw", "--reason", "moved"], capsys)
    assert code == 0 and "q3 of churn-system: withdrawn: the evidence counts again" in err
    assert checklist(db, capsys)["questions"][2]["answer"] is None


@pytest.mark.parametrize(("argv", "message"), [
    (["checklist", "--system", "nope"], "system 'nope': not in the database"),
    (["answer", "--system", "nope", "q1", "--score", "1", "--reason", "r"], "system 'nope': not in the database"),
    (["answer", "--system", SYSTEM, "q9", "--score", "1", "--reason", "r"], "'q9': expected a question (q1..q5)"),
    (["answer", "--system", SYSTEM, "infra-9", "--points", "1", "--reason", "r"], "'infra-9': expected a question"),
    (["answer", "--system", SYSTEM, "q1", "--score", "7", "--reason", "r"], "q1 score: expected a whole number"),
    (["answer", "--system", SYSTEM, "q1", "--points", "1", "--reason", "r"], "q1: a question takes --score 0-4"),
    (["answer", "--system", SYSTEM, "data-2", "--score", "1", "--reason", "r"], "data-2: a test takes --points"),
    (["answer", "--system", SYSTEM, "data-2", "--points", "0.3", "--reason", "r"], "data-2 points: expected 0, 0.5"),
    (["answer", "--system", SYSTEM, "q1", "--score", "1", "--reason", " "], "q1 reason: an answer needs a reason"),
    (["answer", "--system", SYSTEM, "q1", "--reason", "r"], "one of the arguments --score --points --withdraw is"),
])
def test_bad_input_is_one_line_and_exit_2(db, capsys, argv, message):
    code, out, err = run(["--db", db, *argv], capsys)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_help_stays_fast_without_the_audit_imported():
    script = ("import sys, time; t = time.perf_counter(); from mldebt_core.cli import build_parser; build_parser(); "
              "print(time.perf_counter() - t, any(m.startswith(('mldebt_core.audit', 'pandas', 'duckdb')) "
              "for m in sys.modules))")
    started = time.perf_counter()
    seconds, imported = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT,
                                       check=True).stdout.split()
    assert imported == "False" and float(seconds) < 1.0 and time.perf_counter() - started < 10
