"""The pieces of the Retrospective page: what changed since the last meeting, one question with its evidence and
the team's score, and the action items the meeting decides (kept in the session until the retrospective is
saved)."""

from datetime import date

import pandas as pd
import streamlit as st

from mldebt_core.audit.checklist import Checklist, QuestionScore
from mldebt_core.audit.retrospectives import ActionItem, DebtState, Retrospective, action_progress, changes_since
from pages.components import common as ui

ACTIONS = "retro_actions"
"""session key: the action items decided so far in this meeting"""
UNSCORED = "not scored"


def since_last(last: Retrospective | None, debts: pd.DataFrame, now: DebtState) -> None:
    """The last meeting's actions and how far they got, and the debts paid down (credited) and new since."""
    if last is None:
        st.info("This is the system's first retrospective: the next one starts from what this one decides.")
        return
    st.caption(f"Last retrospective: {last.held_at:%Y-%m-%d %H:%M} by {ui.plain(last.author or 'an unnamed author')}")
    progress, changes = action_progress(last, now), changes_since(last, now)
    if progress:
        st.markdown("**The actions decided last time**")
        st.dataframe(pd.DataFrame([{"action": p.action.title, "owner": p.action.owner, "due": p.action.due,
                                    "progress": p.verdict, "debts still open": ", ".join(p.open_findings)}
                                   for p in progress]), hide_index=True, key="retro_progress")
    paid, new = st.columns(2)
    paid.metric("Paid down since", len(changes.paid_down))
    new.metric("New since", len(changes.new))
    if changes.credits:
        st.success("Credit to the team: " + "; ".join(f"{credit} ({count})" for credit, count in
                                                       changes.credits.items()))
    if changes.new:
        new = debts[debts["finding_id"].isin(changes.new)]
        st.dataframe(new[["rank", "where", "severity", "kind", "message"]], hide_index=True, key="retro_new")


def question(q: QuestionScore) -> int | None:
    """One question: its evidence, what is missing, and the team's score (returned; None when not scored)."""
    st.markdown(f"**{q.id.upper()}. {q.question}**")
    computed = "no evidence" if q.computed_score is None else f"{q.computed_score}/4"
    answered = q.answer is not None and q.answer.value is not None
    st.caption(f"The evidence scores it {computed}"
               + (f"; the team's answer: {q.answer.value:g}/4" if answered else ""))
    st.dataframe(pd.DataFrame([{"criterion": e.criterion, "met": {True: "yes", False: "no"}.get(e.met, "unknown"),
                                "detail": e.detail, "from": e.source} for e in q.evidence]),
                 hide_index=True, key=f"retro_evidence_{q.id}")
    for missing in q.missing:
        st.warning(ui.plain(missing))
    picked = st.select_slider("The team's score", [UNSCORED, 0, 1, 2, 3, 4], key=_score_key(q.id))
    return None if picked == UNSCORED else int(picked)


def team_scores(checklist: Checklist) -> dict[str, int | None]:
    """The team's score of every question so far in this meeting: the checklist's score until the team moves its
    slider (kept in the session while another question is shown)."""
    scores = {}
    for q in checklist.questions:
        picked = st.session_state.setdefault(_score_key(q.id), UNSCORED if q.score is None else q.score)
        scores[q.id] = None if picked == UNSCORED else int(picked)
    return scores


def _score_key(question_id: str) -> str:
    return f"retro_score_{question_id}"


def action_form(question_id: str, debt_labels: dict[str, str]) -> None:
    """Add an action item for this question to the meeting's list."""
    with st.form(f"retro_action_{question_id}", clear_on_submit=True):
        st.markdown("**Add an action item**")
        title = st.text_input("Action", key=f"retro_title_{question_id}")
        left, right = st.columns(2)
        owner = left.text_input("Owner", key=f"retro_owner_{question_id}")
        due = right.date_input("Due", value=None, min_value=date.today(), key=f"retro_due_{question_id}")
        findings = st.multiselect("Debts it pays down", list(debt_labels), format_func=debt_labels.get,
                                  key=f"retro_debts_{question_id}")
        if st.form_submit_button("Add"):
            if not title.strip() or not owner.strip():
                st.error("An action item needs a title and an owner.")
            else:
                st.session_state.setdefault(ACTIONS, []).append(
                    ActionItem(title.strip(), owner.strip(), due, question_id, tuple(findings)))


def decided_actions() -> list[ActionItem]:
    actions = st.session_state.get(ACTIONS, [])
    if actions:
        st.dataframe(pd.DataFrame([{"action": a.title, "owner": a.owner, "due": a.due, "question": a.question,
                                    "debts": ", ".join(a.findings)} for a in actions]),
                     hide_index=True, key="retro_actions_table")
        if st.button("Clear the action items", key="retro_clear"):
            st.session_state[ACTIONS] = []
            st.rerun()
    else:
        st.caption("No action item yet: add them question by question above.")
    return list(actions)
