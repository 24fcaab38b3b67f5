"""Findings: the selected scan's findings, filtered (the less confident hidden until asked); what each kind
means and how to pay it down; what changed since the previous scan; the filtered list as CSV; the findings
the repository suppressed and what the scan could not read; the findings the analyses of the system's logs
and feature tables recorded."""

import streamlit as st

from mldebt_core import views
from mldebt_core.store import queries
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.taxonomy import KINDS, SECTIONS
from pages.components import common as ui
from pages.components.rows import understood

COLUMNS = ["location", "severity", "kind", "paper_section", "message", "confidence", "finding_id"]
ANALYSIS_COLUMNS = ["source", "severity", "kind", "paper_section", "location", "message", "recorded_at", "finding_id"]


# A stored scan never changes: its id is its version.
@ui.cached()
def filtered(store, scan_id: int, kinds, severities, sections, file_like, projects):
    return views.with_location(queries.findings(store, scan_id, kinds or None, severities or None, file_like,
                                                sections or None, projects or None))


@ui.cached()
def diff(store, scan_id: int, previous: int, floor: int):
    return views.with_location(queries.findings_diff(store, scan_id, previous, floor))


@ui.cached()
def answers(store, scan_id: int):
    """(the scan's projects, the findings the repository suppressed, what the scan could not read)"""
    return (queries.projects(store, scan_id), views.suppressed_table(queries.suppressed_findings(store, scan_id)),
            views.unread_table(queries.scan_warnings(store, scan_id), queries.skipped_files(store, scan_id)))


store = ui.store()
system, scan_id = ui.require_scan()
st.title("Findings")
st.caption(f"{ui.plain(system)} · scan #{scan_id}")

left, middle, right, text = st.columns(4)
kinds = left.multiselect("Kind", list(KINDS), format_func=lambda k: KINDS[k].title, key="kinds")
severities = middle.multiselect("Severity", views.SEVERITIES, key="severities")
sections = right.multiselect("Paper section", list(SECTIONS), format_func=lambda n: f"§{n} {SECTIONS[n]}",
                             key="sections")
path = text.text_input("File path contains", key="path")
projects, suppressed, unread = answers(store, scan_id)
labels = views.project_labels(projects)
picked = st.multiselect("Project", list(labels), format_func=labels.get, key="projects") if labels else []
found = understood(filtered(store, scan_id, tuple(kinds), tuple(severities), tuple(sections),
                            views.contains_pattern(path), tuple(picked)), "findings")
floor = ui.confidence_floor(views.below(found, ui.MIN_CONFIDENCE), key="findings_unconfident")
found = views.confident(found, floor)

columns = COLUMNS + (["project"] if labels else [])
st.subheader(f"{len(found):,} findings")
st.dataframe(found[columns], hide_index=True, key="findings")
ui.download("Download CSV", found[columns], f"findings-scan-{scan_id}.csv", "csv")

st.subheader("What the paper says, and how to pay it down")
for kind in dict.fromkeys(found["kind"]):
    debt = KINDS[kind]
    with st.expander(f"{debt.title} (§{debt.paper_section})"):
        st.markdown(f"{debt.meaning}\n\n**Pay it down:** {debt.paydown}")

st.subheader("Since the previous scan")
previous = views.previous_scan_id(queries.list_scans(store, system), scan_id)
if previous is None:
    st.info("This is the system's first scan, so there is nothing to compare it with.")
else:
    changes = diff(store, scan_id, previous, floor)
    for status, heading in [("new", "New"), ("fixed", "Fixed")]:
        rows = changes[changes["status"] == status]
        st.markdown(f"**{heading} since scan #{previous}: {len(rows)}**")
        if len(rows):
            st.dataframe(rows[["location", "severity", "kind", "message", "finding_id"]], hide_index=True,
                         key=f"diff_{status}")

st.subheader("Suppressed by the repository")
st.caption("Findings its authors answered with an inline `# mldebt: ignore[kind] reason` comment or in "
           "[tool.mldebt.ignore] of its pyproject.toml; they are not counted above.")
if suppressed.empty:
    st.info("None: the repository suppresses no finding.")
else:
    st.dataframe(suppressed, hide_index=True, key="suppressed")

st.subheader("What the scan could not read")
if unread.empty:
    st.info("Nothing: no warnings, and every file that should be analysed was.")
else:
    st.dataframe(unread, hide_index=True, key="unread")

st.subheader("Findings of the analyses")
st.caption("Recorded for the whole system by the monitoring, feedback-loop and ablation analyses, each run with the "
           "system's defaults; each replaces its own findings when it runs again (after a new log, scan, limit or "
           "feature source, or an ablation). Their evidence (windows, values, intervals) is in the CSV.")
recorded = analysis_findings(store, system)  # small, and rewritten by every default run: not cached
if recorded.empty:
    st.info("None recorded yet. Load a prediction log on the Monitoring page or run an ablation.")
else:
    st.dataframe(recorded[ANALYSIS_COLUMNS], hide_index=True, key="analysis_findings")
    ui.download("Download CSV", recorded, "analysis-findings.csv", "analysis_csv")
