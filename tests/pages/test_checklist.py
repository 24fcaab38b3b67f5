"""AppTest of pages/checklist.py: the five questions and the ML Test Score of the seeded sample scan (and of the
whole sample system), answers given through the forms and seen after the rerun, refusals, and the downloads."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.audit.answers import question_history, rubric_answers
from mldebt_core.samples import load_sample
from mldebt_core.store import Store
from pages.components import common as components
from tests.pages.helpers import run_page

SYSTEM = "churn-system"


def run() -> AppTest:
    return run_page("checklist.py", scan_id=1)


def scores(at: AppTest) -> list[str]:
    """The five questions' scores now (each question shows its score, then the computed one)."""
    return [m.value for m in at.metric if m.label == "Score"]


def table(at: AppTest, column: str, target: str | None = None):
    """The first table with `column` (and, for a history, rows of `target`): AppTest gives tables no key."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns
                and (target is None or "target" in frame.value.columns and set(frame.value["target"]) == {target}))


def answer(at: AppTest, question: str, score, reason: str, author: str = "ana") -> AppTest:
    at.text_input(key="checklist_author").input(author)
    at.selectbox(key=f"answer_{question}_score").select(score)
    at.text_area(key=f"answer_{question}_reason").input(reason)
    return at.button(key=f"answer_{question}_save").click().run()


def test_the_questions_and_the_test_score_of_a_scan_without_log(seeded):
    seeded(1)
    at = run()
    assert not at.exception and at.title[0].value == "Checklist"
    assert [h.value[:3] for h in at.subheader][:5] == ["q1.", "q2.", "q3.", "q4.", "q5."]
    # the seeded scan rates pipeline_jungle and process_debt under the floor: q1 and q5 keep those criteria
    assert scores(at) == ["1 / 4", "2 / 4", "0 / 4", "0 / 4", "2 / 4"]
    assert [i.value for i in at.info if "ingest" in i.value] and len(at.get("plotly_chart")) == 1
    test_score = {m.label: m.value for m in at.metric if m.label not in ("Score", "Computed from evidence")}
    assert test_score == {"ML Test Score": "0", "Tests for Features and Data": "0", "Tests for Model Development": "0",
                          "Tests for ML Infrastructure": "0", "Monitoring Tests for ML": "0"}
    tests = table(at, "rule")
    assert len(tests) == 28 and set(tests["source"]) == {"evidence", "none"}
    assert tests.set_index("test").loc["infra-1", "passed"] == "no"


def test_overriding_an_answer_through_the_form_shows_after_the_rerun_with_its_history(seeded):
    seeded(1)
    at = answer(run(), "q3", 3, "labels arrive within a day")
    assert not at.exception and at.success[0].value == "q3: the team's answer 3 is stored"
    assert scores(at)[2] == "3 / 4" and [m.value for m in at.metric][5] == "0 / 4"  # computed stays
    at = run()  # a later visit: the answer is stored, not held by the session
    assert scores(at)[2] == "3 / 4"
    assert table(at, "score", "q3")["reason"].tolist() == ["labels arrive within a day"]
    at = answer(at, "q3", "withdraw the team's answer", "we were too kind")
    assert scores(at)[2] == "0 / 4"
    history = question_history(components.store(), SYSTEM, "q3")
    assert [(a.value, a.author) for a in history] == [(None, "ana"), (3, "ana")]


def test_an_answer_without_reason_or_name_is_refused_and_stores_nothing(seeded):
    seeded(1)
    at = answer(run(), "q1", 4, "   ")
    assert "q1 reason: an answer needs a reason" in at.error[0].value and scores(at)[0] == "1 / 4"
    at = answer(run(), "q1", 4, "a shared interface since May", author="")
    assert "q1 author: expected who answers" in at.error[0].value
    assert question_history(components.store(), SYSTEM) == []


def test_answering_a_test_moves_its_section(seeded):
    seeded(1)
    at = run()
    at.text_input(key="checklist_author").input("bo")
    at.selectbox(key="answer_test_id").select("infra-6")
    at.selectbox(key="answer_test_points").select(1.0)
    at.text_area(key="answer_test_reason").input("every release is canaried for an hour")
    at = at.button(key="answer_test_save").click().run()
    assert not at.exception and at.success[0].value == "infra\\-6: the team's answer 1 is stored"
    assert {m.label: m.value for m in at.metric}["Tests for ML Infrastructure"] == "1"
    row = table(at, "rule").set_index("test").loc["infra-6"]
    assert (row["points"], row["source"]) == (1.0, "team")
    assert list(rubric_answers(components.store(), SYSTEM)) == ["infra-6"]
    assert table(at, "points", "infra-6")["author"].tolist() == ["bo"]


def test_the_whole_sample_system_with_its_log(monkeypatch, tmp_path):
    db = tmp_path / "sample.duckdb"
    with Store(db) as store:
        load_sample(store)
    monkeypatch.setenv("MLDEBT_DB", str(db))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = run()
    assert not at.exception and scores(at) == ["1 / 4", "2 / 4", "1 / 4", "0 / 4", "1 / 4"]
    assert {m.label: m.value for m in at.metric}["Monitoring Tests for ML"] == "1.5"
    text = " ".join(m.value for m in at.markdown)
    assert "treatment label rate has drifted" in text and "More of a research project" in text
    assert [b.label for b in at.get("download_button")] == ["Checklist as JSON", "Checklist as Markdown"]


def test_an_empty_database_asks_for_a_system(monkeypatch, tmp_path):
    monkeypatch.setenv("MLDEBT_DB", str(tmp_path / "empty.duckdb"))
    st.cache_resource.clear()
    at = run_page("checklist.py")
    assert not at.exception and "No system yet" in at.info[0].value


@pytest.fixture(autouse=True)
def _fresh_caches():
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
