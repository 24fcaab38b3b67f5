"""Findings: the selected scan's findings, filtered; what each kind means and how to pay it down;
what changed since the previous scan; the filtered list as CSV."""

import streamlit as st

from mldebt_core import views
from mldebt_core.store import queries
from mldebt_core.taxonomy import KINDS, SECTIONS
from pages import common

COLUMNS = ["location", "severity", "kind", "paper_section", "message", "confidence", "finding_id"]


# Scans never change once stored: results are cached by (database, scan ids, filters).
@st.cache_data(show_spinner=False)
def filtered(_store, db: str, scan_id: int, kinds, severities, sections, file_like):
    return views.with_location(queries.findings(_store, scan_id, kinds or None, severities or None, file_like,
                                                sections or None))


@st.cache_data(show_spinner=False)
def diff(_store, db: str, scan_id: int, previous: int):
    return views.with_location(queries.findings_diff(_store, scan_id, previous))


store = common.store()
system, scan_id = common.require_selection()
db = str(store.path)
st.title("Findings")
st.caption(f"{common.plain(system)} · scan #{scan_id}")

left, middle, right, text = st.columns(4)
kinds = left.multiselect("Kind", list(KINDS), format_func=lambda k: KINDS[k].title, key="kinds")
severities = middle.multiselect("Severity", views.SEVERITIES, key="severities")
sections = right.multiselect("Paper section", list(SECTIONS), format_func=lambda n: f"§{n} {SECTIONS[n]}",
                             key="sections")
path = text.text_input("File path contains", key="path")
found = filtered(store, db, scan_id, tuple(kinds), tuple(severities), tuple(sections), views.contains_pattern(path))

st.subheader(f"{len(found):,} findings")
st.dataframe(found[COLUMNS], hide_index=True, key="findings")
st.download_button("Download CSV", found[COLUMNS].to_csv(index=False), file_name=f"findings-scan-{scan_id}.csv",
                   mime="text/csv", on_click="ignore", key="csv")

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
    changes = diff(store, db, scan_id, previous)
    for status, heading in [("new", "New"), ("fixed", "Fixed")]:
        rows = changes[changes["status"] == status]
        st.markdown(f"**{heading} since scan #{previous}: {len(rows)}**")
        if len(rows):
            st.dataframe(rows[["location", "severity", "kind", "message", "finding_id"]], hide_index=True,
                         key=f"diff_{status}")
