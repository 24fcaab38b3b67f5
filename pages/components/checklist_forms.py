"""The Checklist page's pieces: one question with its evidence, answer form and history; the ML Test Score's tests
and the form that answers one."""

import pandas as pd
import streamlit as st

from mldebt_core.audit.answers import POINTS, SCORES, answer_question, answer_test, question_history, rubric_history
from mldebt_core.audit.checklist import MAX_SCORE, QuestionScore
from mldebt_core.audit.test_score import MLTestScore
from mldebt_core.errors import MldebtError
from pages.components.common import plain, remember, show_outcome, store

MARKS = {True: ":green[**met**]", False: ":red[**not met**]", None: ":orange[**unknown**]"}
"""a criterion's state, in Streamlit's colour markup (bundled, so it renders offline, unlike emoji fonts)"""
WITHDRAW = "withdraw the team's answer"


def question(system: str, q: QuestionScore, author: str) -> None:
    """A question: its score (the team's and the computed one), its evidence, what is missing, the answer form."""
    st.subheader(f"{q.id}. {q.question}")
    left, right = st.columns(2)
    left.metric("Score", _score(q.score), help="the team's answer when there is one, else the computed score")
    right.metric("Computed from evidence", _score(q.computed_score), help="criteria the evidence shows met")
    if q.answer is not None:
        st.caption(plain(f"The team's answer, by {q.answer.author} on {q.answer.recorded_at:%Y-%m-%d %H:%M}: "
                         f"{q.answer.reason}"))
    for e in q.evidence:
        mark = MARKS[e.met] if e.scored else ":gray[context]"
        ids = f" ({', '.join(e.findings)})" if e.findings else ""
        st.markdown(f"- {mark} · **{plain(e.criterion)}**: {plain(e.detail + ids)}")
    for missing in q.missing:
        st.info(plain(f"Missing: {missing}"))
    with st.expander(f"Answer {q.id} as a team, and its history"):
        with st.form(f"answer_{q.id}"):
            choice = st.selectbox("Score", [*SCORES, WITHDRAW], key=f"answer_{q.id}_score",
                                  format_func=lambda s: s if s == WITHDRAW else f"{s} of {MAX_SCORE}")
            reason = st.text_area("Reason", key=f"answer_{q.id}_reason", help="why the team sees it so (required)")
            if st.form_submit_button("Save answer", key=f"answer_{q.id}_save"):
                _save(lambda: answer_question(store(), system, q.id, None if choice == WITHDRAW else choice, reason,
                                              author), f"answer_{q.id}_outcome", q.id)
        show_outcome(f"answer_{q.id}_outcome", keep=False)
        _history(question_history(store(), system, q.id), "score", f"history_{q.id}")


def tests(score: MLTestScore) -> None:
    """The four sections with their sums, then every test with its points, source and evidence."""
    columns = st.columns(len(score.sections) + 1)
    columns[0].metric("ML Test Score", f"{score.score:g}", help="the lowest section's score")
    for column, section in zip(columns[1:], score.sections):
        column.metric(section.name, f"{section.score:g}", help="the sum of its seven tests")
    st.markdown(f"**{plain(score.band)}**")
    rows = [{"test": t.id, "title": t.title, "points": t.points, "source": t.source,
             "passed": {True: "yes", False: "no", None: ""}[t.passed], "computed": t.computed_points,
             "evidence": "; ".join(e.detail + (f" ({', '.join(e.findings)})" if e.findings else "")
                                   for e in t.evidence) or (f"missing: {t.missing}" if t.missing else ""),
             "rule": t.rule} for section in score.sections for t in section.tests]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="test_score_tests")


def test_form(system: str, score: MLTestScore, author: str) -> None:
    """The team's points for one test (or a withdrawal), and that test's history."""
    ids = [t.id for section in score.sections for t in section.tests]
    with st.form("answer_test"):
        left, right = st.columns(2)
        test_id = left.selectbox("Test", ids, key="answer_test_id",
                                 format_func=lambda i: f"{i}: {score.test(i).title} ({score.test(i).points:g})")
        choice = right.selectbox("Points", [*POINTS, WITHDRAW], key="answer_test_points",
                                 format_func=lambda p: p if p == WITHDRAW else f"{p:g}")
        reason = st.text_area("Reason", key="answer_test_reason", help="why the team gives these points (required)")
        if st.form_submit_button("Save test answer", key="answer_test_save"):
            _save(lambda: answer_test(store(), system, test_id, None if choice == WITHDRAW else choice, reason,
                                      author), "answer_test_outcome", test_id)
    show_outcome("answer_test_outcome", keep=False)
    history = rubric_history(store(), system)
    if history:
        _history(history, "points", "history_tests")


def _save(answer, outcome: str, target: str) -> None:
    try:
        stored = answer()
    except MldebtError as error:
        remember(outcome, error)
    else:
        remember(outcome, success=f"{target}: " + ("withdrawn, the evidence counts again" if stored.withdrawn else
                                                   f"the team's answer {stored.value:g} is stored"))
        st.rerun()


def _history(answers, name: str, key: str) -> None:
    if not answers:
        st.caption("No answer yet.")
        return
    st.dataframe(pd.DataFrame([{"when": a.recorded_at, "target": a.target, name: a.value, "withdrawn": a.withdrawn,
                                "author": a.author, "reason": a.reason} for a in answers]), hide_index=True, key=key)


def _score(score: int | None) -> str:
    return "—" if score is None else f"{score} / {MAX_SCORE}"
