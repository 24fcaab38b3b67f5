"""Debts: every finding of the system (its scan and every analysis) in one ranking, filtered by triage status,
source and severity, as CSV; and one debt in full: message, next step, evidence, the cited code lines, how to
pay it down, its history and its triage (the form stores it by stable id, so it survives re-scans)."""

import streamlit as st

from mldebt_core import views
from mldebt_core.audit.triage import triage_history
from mldebt_core.taxonomy import KINDS
from pages.components import common as ui
from pages.components import debts as audit

COLUMNS = ["rank", "where", "severity", "kind", "message", "next_step", "score", "status", "owner", "source",
           "confidence", "reach", "age_days", "finding_id"]

store = ui.store()
system, scan_id = ui.require_selection()
st.title("Debts")
st.caption(f"{ui.plain(system)} · " + (f"scan #{scan_id}" if scan_id else "no scan yet") + " · ranked by severity × "
           "confidence × reach (artifacts that depend on it) × age (since first seen)")
ui.show_outcome(audit.TRIAGE_OUTCOME, keep=False)
floor = ui.confidence_floor(0, key="debts_unconfident")
debts = audit.ranked(system, scan_id, floor)
if debts.empty:
    st.info("No debts recorded for this system: its scan found none and no analysis recorded any.")
    st.stop()

left, middle, right = st.columns(3)
statuses = left.multiselect("Status", list(audit.STATUS_LABELS), default=["open", "fixed"],
                            format_func=audit.STATUS_LABELS.get, key="debt_status")
sources = middle.multiselect("Source", sorted(set(debts["source"])), key="debt_source")
severities = right.multiselect("Severity", views.SEVERITIES, key="debt_severity")
shown = debts[debts["status"].isin(statuses or list(audit.STATUS_LABELS))
              & debts["source"].isin(sources or set(debts["source"]))
              & debts["severity"].isin(severities or views.SEVERITIES)]
st.subheader(f"{len(shown):,} of {len(debts):,} debts")
st.dataframe(shown[COLUMNS], hide_index=True, key="debts",
             column_config={"message": st.column_config.TextColumn(width="large"),
                            "next_step": st.column_config.TextColumn(width="large")})
ui.download("Download CSV", shown[COLUMNS], f"debts-{system}.csv", "debts_csv")
if shown.empty:
    st.stop()

st.subheader("One debt in full")
by_id = shown.set_index("finding_id", drop=False)
ids = list(by_id.index)
wanted = st.query_params.get("finding")
picked = st.selectbox("Debt", ids, index=ids.index(wanted) if wanted in ids else 0, key="debt",
                      format_func=lambda i: audit.label(int(by_id.loc[i, "rank"]), by_id.loc[i]))
st.query_params["finding"] = picked
debt = by_id.loc[picked]
audit.card(int(debt["rank"]), debt)
kind = KINDS[debt["kind"]]
left, right = st.columns(2)
with left:
    if isinstance(debt.get("excerpt"), str):
        st.markdown("**The cited lines**")
        st.code(debt["excerpt"], language="python" if str(debt["file"]).endswith(".py") else None)
    st.markdown(f"**What the paper says** (§{kind.paper_section}): {kind.meaning}")
    st.markdown(f"**How to pay it down:** {kind.paydown}")
    st.markdown("**Evidence**")
    st.json(debt["evidence"], expanded=False)
with right:
    first = debt["first_seen"]
    st.markdown("**History**")
    st.markdown(f"First seen {first:%Y-%m-%d}" if hasattr(first, "strftime") else "First seen: not recorded")
    if debt["source"] == "scan":
        st.markdown(f"Found by {int(debt['seen_in_scans'])} scan(s) of this system")
    st.caption(f"id {ui.plain(debt['finding_id'])}")
    st.markdown("**Triage**")
    audit.triage_form(system, debt)
    history = triage_history(store, system, picked)
    if not history.empty:
        st.dataframe(history, hide_index=True, key="triage_history")
