"""Overview: the system's worst debts first (its scan's and every analysis's, ranked, each with its next step),
then the selected scan at a glance and the system's trend across scans."""

import streamlit as st

from mldebt_core import charts, views
from mldebt_core.audit.debts import debt_counts, open_debts
from mldebt_core.settings import DEFAULT_DEBT_RANKING_SETTINGS
from mldebt_core.store import queries
from pages.components import common as ui
from pages.components import debts as audit

TOP = DEFAULT_DEBT_RANKING_SETTINGS.top_debts


@ui.cached()
def scan_views(store, scan_id: int, floor: int):  # a stored scan never changes: its id is its version
    found = views.confident(queries.findings(store, scan_id), floor)
    return (queries.scan_summary(store, scan_id, floor), views.kind_severity_counts(found),
            views.section_counts(found), queries.languages(store, scan_id))


@ui.cached()
def hidden(store, scan_id: int) -> int:
    return queries.scan_summary(store, scan_id, ui.MIN_CONFIDENCE)["hidden"]


@ui.cached()
def trend(store, system: str, version: str, floor: int):
    return views.trend_grid(queries.findings_trend(store, system, floor))


store = ui.store()
system, scan_id = ui.require_scan()

st.title("Overview")
st.caption(f"{ui.plain(system)} · scan #{scan_id}")
floor = ui.confidence_floor(hidden(store, scan_id), key="overview_unconfident")
summary, by_kind, by_section, languages = scan_views(store, scan_id, floor)
debts = audit.ranked(system, scan_id, floor)
counts = {**summary, **debt_counts(debts)}
columns = st.columns(6)
for column, (label, key, help) in zip(columns, [
        ("Debts", "debts", "Findings of the scan and of every analysis of the system's logs and tables"),
        ("High + critical", "high_or_critical", "Debts of high or critical severity, from every source"),
        ("Open", "open", "Debts nobody has accepted or decided not to fix (triage on the Debts page)"),
        ("Files", "files", None), ("Lines", "lines", None), ("Skipped files", "skipped", None)]):
    column.metric(label, f"{counts[key]:,}", help=help)
if notes := views.summary_notes(summary):
    st.caption(notes)

st.subheader(f"Top {TOP} debts")
st.caption("Ranked by severity × confidence × reach (artifacts that depend on it) × age (since first seen); "
           f"{counts['from_analyses']:,} of the debts come from the analyses. Details and triage on the Debts page.")
top = open_debts(debts).head(TOP)
if top.empty:
    st.success("No open debt: every finding is triaged as accepted or won't fix, or there are none.")
for _, debt in top.iterrows():
    audit.card(int(debt["rank"]), debt)

left, right = st.columns(2)
with left:
    st.subheader("Findings by kind and severity")
    st.plotly_chart(charts.kinds_figure(by_kind), key="by_kind")
with right:
    st.subheader("Findings by paper section")
    st.plotly_chart(charts.sections_figure(by_section), key="by_section")

left, right = st.columns(2)
with left:
    st.subheader("Languages")
    st.plotly_chart(charts.languages_figure(languages), key="languages")
with right:
    st.subheader("Trend")
    if len(queries.list_scans(store, system)) < 2:
        st.info("Only one scan of this system so far: the trend appears after the next scan.")
    else:
        st.plotly_chart(charts.trend_figure(trend(store, system, ui.version(system), floor)), key="trend")

