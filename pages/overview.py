"""Overview: the selected scan at a glance, and the system's trend across scans."""

import streamlit as st

from mldebt_core import charts, views
from mldebt_core.store import queries
from pages.components import common as ui

TOP = 20  # findings listed under "Top findings"


@ui.cached()
def scan_views(store, scan_id: int, floor: int):  # a stored scan never changes: its id is its version
    found = views.confident(queries.findings(store, scan_id), floor)
    return (queries.scan_summary(store, scan_id, floor), views.kind_severity_counts(found),
            views.section_counts(found), queries.languages(store, scan_id), views.top_findings(found, TOP))


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
summary, by_kind, by_section, languages, top = scan_views(store, scan_id, floor)
columns = st.columns(5)
for column, (label, key) in zip(columns, [("Findings", "findings"), ("High + critical", "high_or_critical"),
                                          ("Files", "files"), ("Lines", "lines"), ("Skipped files", "skipped")]):
    column.metric(label, f"{summary[key]:,}")
if notes := views.summary_notes(summary):
    st.caption(notes)

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

st.subheader("Top findings")
st.dataframe(top[["location", "severity", "kind", "message", "confidence"]], hide_index=True, key="top")
