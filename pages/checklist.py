"""Checklist: the paper's five questions and the ML Test Score of the system, scored from its evidence (the latest
scan, the prediction log and the analyses' findings, the latest ablation run), with what is missing, the team's
answers that override them and their history, and both as JSON and Markdown (what `mldebt checklist` prints)."""

import json

import streamlit as st

from mldebt_core.audit.answers import question_answers, rubric_answers
from mldebt_core.audit.charts import checklist_figure
from mldebt_core.audit.checklist import gather_facts, score_questions, with_answers
from mldebt_core.audit.test_score import AuditScores, score_tests, scores_dict, scores_markdown, with_test_answers
from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from pages.components import checklist_forms as forms
from pages.components import common as ui


@ui.cached()
def computed(store, system: str, version: str):
    """Both scores from the evidence, without answers (read fresh on every run: answering changes no version)."""
    facts = gather_facts(store, system)
    return score_questions(facts), score_tests(facts)


store = ui.store()
system, _ = ui.require_selection()
st.title("Checklist")
questions, tests = computed(store, system, ui.version(system))
scores = AuditScores(with_answers(questions, question_answers(store, system)),
                     with_test_answers(tests, rubric_answers(store, system)))
scan = f"scan #{questions.scan_id}" if questions.scan_id is not None else "no scan yet"
st.caption(f"{ui.plain(system)} · the latest scan ({scan}), its findings at or above "
           f"{DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence}% confidence, the prediction log and what its analyses "
           "recorded, the latest ablation run. Rules and thresholds: docs/checklist.md.")

author = st.text_input("Your name", key="checklist_author", help="recorded with every answer you give here")

st.header("The paper's five questions")
st.caption("Each scored 0-4: how many of its four criteria the evidence shows met. A criterion the evidence cannot "
           "judge earns no point and says which analysis would judge it; the team's answer overrides the score.")
st.plotly_chart(checklist_figure(scores.checklist), key="checklist_chart")
for question in scores.checklist.questions:
    forms.question(system, question, author)

st.header("The ML Test Score")
st.caption("Breck et al. 2017: 28 tests, each 0, 0.5 (done by hand, documented) or 1 point (automated, run "
           "repeatedly); the final score is the lowest section's. Points say whether a test is run; 'passed' says "
           "what its latest run found. Source: evidence (a rule filled it), team (answered), none (0 until "
           "answered).")
forms.tests(scores.test_score)
st.subheader("Answer a test as a team")
forms.test_form(system, scores.test_score, author)

st.header("Download")
left, right = st.columns(2)
left.download_button("Checklist as JSON", json.dumps(scores_dict(scores), indent=1),
                     file_name=f"checklist-{system}.json", mime="application/json", on_click="ignore",
                     key="checklist_json")
right.download_button("Checklist as Markdown", scores_markdown(scores), file_name=f"checklist-{system}.md",
                      mime="text/markdown", on_click="ignore", key="checklist_markdown")
