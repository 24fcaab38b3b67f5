"""mldebt dashboard: the frame. Page config, navigation, the sidebar picker of system and
scan (mirrored in the URL so a link reopens the same view); nothing else."""

import streamlit as st

from mldebt_core import views
from mldebt_core.store import inbox_path, queries
from mldebt_core.usecases.scans import store_queued_scans
from pages.components import analyses
from pages.components import common as ui

st.set_page_config(page_title="mldebt", page_icon="🧾", layout="wide")
store = ui.store()
# scans queued by `mldebt ingest-scan` while this server held the database; whoever loads the next page is told
# of each one refused (it lies in the inbox's rejected/ folder with its reason)
for queued in store_queued_scans(store, analyses.ANALYSES):
    if (refusal := queued.report(inbox_path(store.path))) is not None:
        st.warning(ui.plain(refusal))

with st.sidebar:
    systems = queries.list_systems(store)
    if not systems:
        st.info("The database is empty.")
        if st.button("Load the sample system", type="primary"):
            ui.load_sample()
            st.rerun()
    else:
        chosen_system, chosen_scan = ui.selection()
        system = st.selectbox("System", systems, index=systems.index(chosen_system), key="system")
        labels = views.scan_labels(queries.list_scans(store, system))
        if labels:
            ids = list(labels)
            scan_id = st.selectbox("Scan", ids, index=ids.index(chosen_scan) if chosen_scan in ids else 0,
                                   format_func=labels.get, key="scan_id")
            st.query_params.update({"system": system, "scan": str(scan_id)})
        else:
            st.caption("No scan of this system yet: it has a prediction log only.")
            st.query_params.update({"system": system})
            st.query_params.pop("scan", None)

navigation = st.navigation([
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/debts.py", title="Debts"),
    st.Page("pages/retrospective.py", title="Retrospective"),
    st.Page("pages/findings.py", title="Findings"),
    st.Page("pages/checklist.py", title="Checklist"),
    st.Page("pages/dependencies.py", title="Dependencies"),
    st.Page("pages/monitoring.py", title="Monitoring"),
    st.Page("pages/feedback_loops.py", title="Feedback Loops"),
    st.Page("pages/ablation.py", title="Feature Ablation"),
    st.Page("pages/scans.py", title="Scans"),
])
navigation.run()
