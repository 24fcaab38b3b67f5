"""The ranked debts as the Overview and the Debts page show them: cached per audit state and day (ages move),
one card per debt, and the triage form."""

from datetime import date

import pandas as pd
import streamlit as st

from mldebt_core.audit.debts import system_debts
from mldebt_core.audit.triage import NEEDS_REASON, STATUSES, set_triage
from mldebt_core.errors import MldebtError
from mldebt_core.store.versions import audit_version
from mldebt_core.taxonomy import KINDS
from pages.components import common as ui
from pages.components.rows import understood

STATUS_LABELS = {"open": "Open", "accepted": "Accepted", "wont_fix": "Won't fix", "fixed": "Fixed"}
TRIAGE_OUTCOME = "triage_outcome"
"""session key of the last saved triage: shown once, at the top of the page, since a triaged debt may leave the
filtered list and its form"""


@ui.cached()
def _ranked(store, system: str, scan_id: int | None, floor: int, version: str, day: str) -> pd.DataFrame:
    return system_debts(store, system, scan_id, floor)


def ranked(system: str, scan_id: int | None, floor: int) -> pd.DataFrame:
    """The system's debts worst first (scan findings at least `floor` percent confident, every analysis's)."""
    store = ui.store()
    return understood(_ranked(store, system, scan_id, floor, audit_version(store, system),
                              date.today().isoformat()), "debts")


def label(rank: int, debt: pd.Series) -> str:
    return f"#{rank} · {debt['where']} · {KINDS[debt['kind']].title} ({debt['severity']})"


def card(rank: int, debt: pd.Series) -> None:
    """One debt: what, where, why it ranks here, its full message and its next step."""
    with st.container(border=True):
        status = "" if debt["status"] == "open" else f" · **{STATUS_LABELS[debt['status']]}**"
        st.markdown(f"**{rank}. {KINDS[debt['kind']].title}** · {debt['severity']} · "
                    f"{ui.plain(debt['where'])}{status}")
        st.markdown(ui.plain(debt["message"]))
        st.markdown(f"**Next step:** {ui.plain(debt['next_step'])}")
        seen = "new" if not debt["age_days"] else f"first seen {int(debt['age_days'])} days ago"
        st.caption(f"score {debt['score']:.2f} · {int(debt['confidence'])}% confident · "
                   f"{int(debt['reach'])} artifact(s) depend on it · {seen} · "
                   + ("from the scan" if debt["source"] == "scan" else f"from the {debt['source']} analysis"))


def triage_form(system: str, debt: pd.Series) -> None:
    """Status, owner and note of one debt; accepting or not fixing needs the note as its reason."""
    key = f"triage_{debt['finding_id']}"
    with st.form(key):
        status = st.radio("Status", STATUSES, index=STATUSES.index(debt["status"]), horizontal=True,
                          format_func=STATUS_LABELS.get, key=f"{key}_status")
        owner = st.text_input("Owner", value=debt["owner"], key=f"{key}_owner")
        note = st.text_area("Note", value=debt["note"], key=f"{key}_note",
                            help=f"Required for {' and '.join(STATUS_LABELS[s] for s in NEEDS_REASON)}: why.")
        author = st.text_input("Your name", key="triage_author")
        if st.form_submit_button("Save triage", type="primary"):
            try:
                set_triage(ui.store(), system, debt["finding_id"], status, owner, note, author)
            except MldebtError as error:
                st.error(ui.plain(str(error)))
            else:
                ui.remember(TRIAGE_OUTCOME, success=f"Saved: {STATUS_LABELS[status]}"
                            + (f", owner {owner}" if owner else "") + f" ({debt['where']}, {debt['kind']})")
                st.rerun()  # the list above was drawn before the save
