"""Retrospectives on a hand-built list of debts: what is stored, how far each action got, what changed since."""

from datetime import date

import pandas as pd
import pytest

from mldebt_core.audit import retrospectives as retro
from mldebt_core.audit.retrospective_report import retrospective_markdown
from mldebt_core.audit.retrospectives import ActionItem, DebtState, RetrospectiveError, last_retrospective

SYSTEM = "toy"
THEN = ["unstable_data_dependency:1", "dead_experimental_codepath:1", "reproducibility_debt:1", "glue_code:1",
        "monitoring_gap:1"]


def debts(rows: dict[str, str]) -> pd.DataFrame:
    """The ranked list now, as {finding id: triage status}, worst first."""
    return pd.DataFrame({"finding_id": list(rows), "status": list(rows.values()),
                         "kind": [i.split(":")[0] for i in rows]})


@pytest.fixture
def held(store):
    actions = [ActionItem("Pin the events export", "ana", date(2026, 12, 20), "q2",
                          ("unstable_data_dependency:1",)),
               ActionItem("Delete dead flags and glue", "bo", None, "q1",
                          ("dead_experimental_codepath:1", "glue_code:1")),
               ActionItem("Seed the split", "cy", None, None, ("reproducibility_debt:1",)),
               ActionItem("Write the runbook", "dee")]
    retro.save_retrospective(store, SYSTEM, 3, THEN, {"q1": 2, "q2": 1, "q3": None, "q4": 3, "q5": 2}, "first one",
                       "ana", actions)
    return store


def test_a_retrospective_is_stored_whole_with_its_actions(held):
    last = last_retrospective(held, SYSTEM)
    assert (last.scan_id, last.open_debts, last.notes, last.author) == (3, tuple(THEN), "first one", "ana")
    assert last.scores == {"q1": 2, "q2": 1, "q3": None, "q4": 3, "q5": 2}
    assert [(a.title, a.owner, a.due, a.question, a.findings) for a in last.actions][:2] == [
        ("Pin the events export", "ana", date(2026, 12, 20), "q2", ("unstable_data_dependency:1",)),
        ("Delete dead flags and glue", "bo", None, "q1", ("dead_experimental_codepath:1", "glue_code:1"))]
    assert retro.list_retrospectives(held, SYSTEM)["actions"].tolist() == [4]
    assert last_retrospective(held, "other") is None


def test_each_action_is_judged_on_its_linked_debts(held):
    now = debts({"unstable_data_dependency:1": "open",  # not paid down
                 "glue_code:1": "open",  # the dead code is gone, the glue is not
                 "reproducibility_debt:1": "fixed",  # triaged fixed: paid down
                 "monitoring_gap:1": "accepted"})
    progress = retro.action_progress(last_retrospective(held, SYSTEM), DebtState.now(now))
    verdicts = [(p.action.owner, p.verdict, p.open_findings) for p in progress]
    assert verdicts == [("ana", "not yet", ("unstable_data_dependency:1",)),
                        ("bo", "partly paid down", ("glue_code:1",)),
                        ("cy", "paid down", ()),
                        ("dee", "no evidence linked", ())]


def test_new_and_paid_down_debts_since_and_their_credit(held):
    now = debts({"fixed_threshold:9": "open", "unstable_data_dependency:1": "open", "glue_code:1": "open",
                 "reproducibility_debt:1": "fixed", "monitoring_gap:1": "accepted", "process_debt:7": "accepted"})
    changes = retro.changes_since(last_retrospective(held, SYSTEM), DebtState.now(now))
    assert changes.new == ["fixed_threshold:9"]  # an accepted newcomer is not news
    assert changes.paid_down == ["dead_experimental_codepath:1", "reproducibility_debt:1"]  # accepted is kept, not paid
    assert changes.credits == {"complexity reduced": 1, "reproducibility improved": 1}


@pytest.mark.parametrize("scores, actions, answers, author, expected", [
    ({"q6": 1}, [], {}, "ana", "expected q1..q5 scored 0 to 4"),
    ({"q1": 5}, [], {}, "ana", "expected q1..q5 scored 0 to 4"),
    ({}, [], {"q2": 7}, "ana", "expected q1..q5 scored 0 to 4"),
    ({}, [ActionItem("  ", "ana")], {}, "ana", "action item 1: give it a title and an owner"),
    ({}, [ActionItem("Pin it", "ana"), ActionItem("Seed it", "")], {}, "ana",
     "action item 2: give it a title and an owner"),
    ({"q1": 2}, [], {"q1": 2}, " ", "held by: say who held the retrospective"),
])
def test_a_retrospective_that_cannot_be_stored_says_why_and_stores_nothing(store, scores, actions, answers, author,
                                                                           expected):
    with pytest.raises(RetrospectiveError, match=expected):
        retro.save_retrospective(store, SYSTEM, None, [], scores, "", author, actions, answers)
    assert retro.list_retrospectives(store, SYSTEM).empty
    assert store.query_value("SELECT count(*) FROM checklist_answers") == 0


def test_the_scores_to_record_become_the_checklists_answers_with_the_retrospective(store):
    saved = retro.save_retrospective(store, SYSTEM, None, [], {"q1": 3, "q2": None}, "", "ana", [], {"q1": 3})
    assert store.query("SELECT question, score, reason, author FROM checklist_answers") == [
        ("q1", 3, f"retrospective #{saved}", "ana")]


def test_the_markdown_report_tells_progress_changes_scores_and_actions(held):
    first = last_retrospective(held, SYSTEM)
    now = debts({"fixed_threshold:9": "open", "unstable_data_dependency:1": "open", "glue_code:1": "open",
                 "reproducibility_debt:1": "fixed", "monitoring_gap:1": "open"})
    now = now.assign(where=["churn/score.py:12", "a", "b", "c", "d"], severity="high",
                     message=["threshold *0.7* in code", "", "", "", ""])
    retro.save_retrospective(held, SYSTEM, 4, ["fixed_threshold:9"], {"q1": 3}, "keep *going*\n\nsecond paragraph",
                             "bo", [ActionItem("Learn the threshold", "ana", None, "q3", ("fixed_threshold:9",))])
    second = last_retrospective(held, SYSTEM)
    questions = {"q1": "How easily can a new approach be tested?", "q2": "What is the closure?"}
    state = DebtState.now(now)
    text = retrospective_markdown(second, questions, {"q1": 2, "q2": None}, first, retro.action_progress(first, state),
                                  retro.changes_since(first, state), now)
    assert text.startswith(f"# Retrospective of toy, {second.held_at:%Y-%m-%d}")
    assert f"## Since the last retrospective ({first.held_at:%Y-%m-%d})" in text
    assert "| Pin the events export | ana | 2026-12-20 | not yet | unstable\\_data\\_dependency:1 |" in text
    assert "**Paid down:** 2 debt(s) (complexity reduced: 1; reproducibility improved: 1)." in text
    new_debt = "| fixed\\_threshold:9 | churn/score.py:12 | fixed\\_threshold | high | threshold \\*0.7\\* in code |"
    assert new_debt in text
    assert "| q1 | How easily can a new approach be tested? | 2/4 | 3/4 |" in text
    assert "| q2 | What is the closure? | – | – |" in text
    assert "| Learn the threshold | ana |  | q3 | fixed\\_threshold:9 |" in text
    assert text.endswith("## Notes\n\nkeep \\*going\\*\n\nsecond paragraph\n")
    assert "first retrospective" in retrospective_markdown(first, questions, {})
