"""AppTest of pages/retrospective.py: a meeting held end to end, then the next one starting from it."""

import os

import pytest

from mldebt_core.audit.answers import question_answers
from mldebt_core.audit.checklist import checklist
from mldebt_core.audit.debts import system_debts
from mldebt_core.audit.retrospectives import last_retrospective
from mldebt_core.audit.triage import set_triage
from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from mldebt_core.store import Store
from tests.pages.helpers import run_page
from tests.store_helpers import SAMPLE

SYSTEM = SAMPLE["repo"]["name"]
MIN_CONFIDENCE = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence


@pytest.fixture
def db(seeded):
    seeded(scans=1)
    return os.environ["MLDEBT_DB"]


def worst_debt(db) -> str:
    with Store(db) as store:
        return system_debts(store, SYSTEM, 1, MIN_CONFIDENCE)["finding_id"].iloc[0]


def hold(at, score: int, action: str, owner: str, debt: str | None = None):
    """Score Q1, add one action item for it, save."""
    at.select_slider(key="retro_score_q1").set_value(score).run()
    at.text_input(key="retro_title_q1").input(action)
    at.text_input(key="retro_owner_q1").input(owner)
    if debt:
        at.multiselect(key="retro_debts_q1").set_value([debt])
    next(b for b in at.button if b.label == "Add").click().run()
    at.text_area(key="retro_notes").input("we agreed to pay the loop down first")
    at.text_input(key="retro_author").input("ana")
    at.button(key="retro_save").click().run()
    return at


def test_a_first_retrospective_is_held_and_saved_with_its_actions(db):
    at = run_page("retrospective.py", scan_id=1)
    assert not at.exception and at.title[0].value == "Retrospective"
    assert "first retrospective" in at.info[0].value
    assert [h.value for h in at.header][:3] == [
        "1. Since the last retrospective", "2. The five questions, one at a time", "3. What we decide"]
    with Store(db) as store:
        computed = checklist(store, SYSTEM).question("q1").computed_score
    score = 0 if computed == 4 else 4  # unlike the evidence's, so it is recorded as the checklist's answer
    hold(at, score, "Break the feedback loop", "bo", debt=worst_debt(db))
    assert not at.exception
    assert "Saved as retrospective \\#1, with 1 action item\\(s\\)\\." in at.success[0].value  # Markdown-escaped
    with Store(db) as store:
        saved = last_retrospective(store, SYSTEM)
        answers = question_answers(store, SYSTEM)
    assert saved.scores["q1"] == score and saved.notes == "we agreed to pay the loop down first"
    assert [(a.title, a.owner, a.question) for a in saved.actions] == [("Break the feedback loop", "bo", "q1")]
    assert len(saved.actions[0].findings) == 1 and len(saved.open_debts) > 0
    assert answers["q1"].value == score and answers["q1"].reason == "retrospective #1"
    assert set(answers) == {"q1"}  # the other scores were left as the evidence gave them
    assert at.get("download_button")  # the Markdown export of the saved retrospective


def test_the_next_retrospective_starts_from_the_last_ones_actions_and_credits_paid_down_debt(db):
    at = run_page("retrospective.py", scan_id=1)
    debt = worst_debt(db)
    hold(at, 1, "Pay it down", "bo", debt=debt)
    with Store(db) as store:
        set_triage(store, SYSTEM, debt, "fixed", owner="bo", author="bo")
    at = run_page("retrospective.py", scan_id=1)
    assert not at.exception
    progress = at.dataframe[0].value  # the last actions and how far they got
    assert progress[["action", "owner", "progress"]].values.tolist() == [["Pay it down", "bo", "paid down"]]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Paid down since"] == "1" and metrics["New since"] == "0"
    assert "Credit to the team" in at.success[0].value


def test_an_action_without_an_owner_is_refused(db):
    at = run_page("retrospective.py", scan_id=1)
    at.text_input(key="retro_title_q1").input("Something")
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception and "needs a title and an owner" in at.error[0].value
