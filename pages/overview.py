"""Overview: the selected scan at a glance, and the system's trend across scans."""

import plotly.express as px
import streamlit as st

from mldebt_core import views
from mldebt_core.store import queries
from pages import common

TOP = 20  # findings listed under "Top findings"
SEVERITY_COLORS = {"low": "#9ecae1", "medium": "#fdae6b", "high": "#e6550d", "critical": "#a50f15"}


# Scans never change once stored, so a scan's results are cached by (database, scan id).
@st.cache_data(show_spinner=False)
def scan_views(_store, db: str, scan_id: int):
    found = queries.findings(_store, scan_id)
    return (queries.scan_summary(_store, scan_id), views.kind_severity_counts(found), views.section_counts(found),
            queries.languages(_store, scan_id), views.top_findings(found, TOP))


@st.cache_data(show_spinner=False)
def trend(_store, db: str, system: str, scan_ids: tuple[int, ...]):  # scan_ids: a new scan refreshes it
    return views.trend_grid(queries.findings_trend(_store, system))


store = common.store()
system, scan_id = common.require_scan()
summary, by_kind, by_section, languages, top = scan_views(store, str(store.path), scan_id)

st.title("Overview")
st.caption(f"{common.plain(system)} · scan #{scan_id}")
columns = st.columns(5)
for column, (label, key) in zip(columns, [("Findings", "findings"), ("High + critical", "high_or_critical"),
                                          ("Files", "files"), ("Lines", "lines"), ("Skipped files", "skipped")]):
    column.metric(label, f"{summary[key]:,}")

left, right = st.columns(2)
with left:
    st.subheader("Findings by kind and severity")
    st.plotly_chart(px.bar(by_kind, x="findings", y="title", color="severity", orientation="h",
                           color_discrete_map=SEVERITY_COLORS, labels={"title": ""}), key="by_kind")
with right:
    st.subheader("Findings by paper section")
    st.plotly_chart(px.bar(by_section, x="findings", y="section", orientation="h", labels={"section": ""}),
                    key="by_section")

left, right = st.columns(2)
with left:
    st.subheader("Languages")
    st.plotly_chart(px.bar(languages, x="language", y="lines", hover_data=["files"]), key="languages")
with right:
    st.subheader("Trend")
    scan_ids = tuple(int(i) for i in queries.list_scans(store, system)["scan_id"])
    if len(scan_ids) < 2:
        st.info("Only one scan of this system so far: the trend appears after the next scan.")
    else:
        st.plotly_chart(px.area(trend(store, str(store.path), system, scan_ids), x="scan", y="findings",
                                color="kind"), key="trend")

st.subheader("Top findings")
st.dataframe(top[["location", "severity", "kind", "message", "confidence"]], hide_index=True, key="top")
