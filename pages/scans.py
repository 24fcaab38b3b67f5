"""Scans: upload a scan JSON into the store, and the selected system's scans."""

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_STORE_SETTINGS
from mldebt_core.store import ingest_scan, queries
from pages import common

LIMIT_MB = DEFAULT_STORE_SETTINGS.max_scan_bytes / 1_000_000


def _ingest_upload() -> None:
    """Ingest once per uploaded file (the callback runs on change, not on every rerun) and keep the outcome."""
    upload = st.session_state["scans_upload"]
    if upload is None:
        st.session_state.pop("scans_outcome", None)
        return
    try:
        result = ingest_scan(common.store(), upload.getvalue(), upload.name)
    except MldebtError as error:
        st.session_state["scans_outcome"] = ("error", str(error))
        return
    done = "stored" if result.created else "already stored"
    message = f"{upload.name}: {done} as scan #{result.scan_id} of system {result.system}."
    st.session_state["scans_outcome"] = ("success", message)


st.title("Scans")
st.file_uploader(f"Upload a scan JSON (at most {LIMIT_MB:g} MB)", type="json", key="scans_upload",
                 on_change=_ingest_upload,
                 help="Scans larger than StoreSettings.max_scan_bytes are refused before they are read.")
outcome = st.session_state.get("scans_outcome")
if outcome is not None:
    (st.success if outcome[0] == "success" else st.error)(common.plain(outcome[1]))

st.caption("Produce a scan of a repository with the CLI, then upload it here:")
st.code("mldebt scan PATH -o scan.json", language="bash")

chosen = common.selection()
if chosen is None:
    st.info("No scans stored yet.")
else:
    st.subheader("Scans of the system picked in the sidebar")
    st.dataframe(queries.list_scans(common.store(), chosen[0]), hide_index=True)
