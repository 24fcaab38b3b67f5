"""Retrospective: one team meeting, walked through in order. What the actions decided last time achieved and
which debts are new or paid down since (credited as the paper's cultural-debt advice says); then the five
questions one at a time, with their evidence, the team's score and action items; saved, and exported as
Markdown for a wiki or an issue tracker."""

import streamlit as st

from mldebt_core.audit.checklist import QUESTIONS, checklist
from mldebt_core.audit.retrospective_report import stored_retrospective_markdown
from mldebt_core.audit.retrospectives import (
    DebtState,
    last_retrospective,
    list_retrospectives,
    save_retrospective,
)
from mldebt_core.errors import MldebtError
from mldebt_core.store.versions import audit_version
from pages.components import common as ui
from pages.components import debts as audit
from pages.components import retrospective as meeting


@ui.cached()
def questions(store, system: str, version: str):
    return checklist(store, system)


store = ui.store()
system, scan_id = ui.require_selection()
st.title("Retrospective")
st.caption(f"{ui.plain(system)} · a meeting in three steps: since last time, the five questions, what we decide")
debts = audit.ranked(system, scan_id, ui.MIN_CONFIDENCE)
now = DebtState.now(debts)
last = last_retrospective(store, system)

st.header("1. Since the last retrospective")
meeting.since_last(last, debts, now)

st.header("2. The five questions, one at a time")
scored = questions(store, system, audit_version(store, system))
step = st.segmented_control("Question", list(QUESTIONS), default="q1", format_func=str.upper, key="retro_step")
open_now = debts[debts["status"] == "open"]
labels = {f: audit.label(int(r), d) for f, r, (_, d) in zip(open_now["finding_id"], open_now["rank"],
                                                            open_now.iterrows())}
team_scores = meeting.team_scores(scored)
if step:
    team_scores[step] = meeting.question(scored.question(step))
    meeting.action_form(step, labels)

st.header("3. What we decide")
actions = meeting.decided_actions()
notes = st.text_area("Notes", key="retro_notes")
author = st.text_input("Held by", key="retro_author")
record = st.checkbox("Also record the team's scores as the checklist's answers", value=True, key="retro_record",
                     help="A score that differs from the evidence's then overrides it on the Checklist page, with "
                          "this retrospective as its reason.")
if st.button("Save the retrospective", type="primary", key="retro_save"):
    differing = {q.id: team_scores[q.id] for q in scored.questions
                 if record and team_scores[q.id] is not None and team_scores[q.id] != q.score}
    try:
        saved = save_retrospective(store, system, scan_id, list(now.open), team_scores, notes, author, actions,
                                   differing)
    except MldebtError as error:
        st.error(ui.plain(str(error)))
    else:
        st.session_state[meeting.ACTIONS] = []
        ui.remember("retro_saved", success=f"Saved as retrospective #{saved}, with {len(actions)} action item(s).")
        st.rerun()
ui.show_outcome("retro_saved", keep=False)

st.header("Past retrospectives")
held = list_retrospectives(store, system)
if held.empty:
    st.caption("None yet.")
else:
    st.dataframe(held, hide_index=True, key="retro_list")
    chosen = st.selectbox("Export", list(held["id"]), format_func=lambda i: f"#{i}", key="retro_export")
    markdown = stored_retrospective_markdown(store, int(chosen), QUESTIONS,
                                             {q.id: q.computed_score for q in scored.questions}, debts)
    st.download_button("Download as Markdown", markdown, file_name=f"retrospective-{chosen}.md",
                       mime="text/markdown", on_click="ignore", key="retro_markdown")
