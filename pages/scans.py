"""Scans: upload a scan JSON into the store, and the selected system's scans."""

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_STORE_SETTINGS
from mldebt_core.store import queries
from mldebt_core.usecases.scans import store_scan
from pages import components as ui

LIMIT_MB = DEFAULT_STORE_SETTINGS.max_scan_bytes / 1_000_000


def _store_upload() -> None:
    """Store once per uploaded file (the callback runs on change, not on every rerun) and keep the outcome."""
    upload = st.session_state["scans_upload"]
    if upload is None:
        st.session_state.pop("scans_outcome", None)
        return
    try:
        result = store_scan(ui.store(), upload.getvalue(), upload.name, analyses=ui.ANALYSES)
    except MldebtError as error:
        ui.remember("scans_outcome", error)
        return
    done = "stored" if result.created else "already stored"
    ui.remember("scans_outcome", success=f"{upload.name}: {done} as scan #{result.scan_id} of system {result.system}.")


st.title("Scans")
st.file_uploader(f"Upload a scan JSON (at most {LIMIT_MB:g} MB)", type="json", key="scans_upload",
                 on_change=_store_upload,
                 help="Scans larger than StoreSettings.max_scan_bytes are refused before they are read.")
ui.show_outcome("scans_outcome")

st.caption("Produce a scan of a repository with the CLI, then upload it here:")
st.code("mldebt scan PATH -o scan.json", language="bash")

chosen = ui.selection()
if chosen is None:
    st.info("No scans stored yet.")
else:
    st.subheader("Scans of the system picked in the sidebar")
    st.dataframe(queries.list_scans(ui.store(), chosen[0]), hide_index=True)
