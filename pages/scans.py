"""Scans: upload a scan JSON into the store (a monorepo's whole, or one of its projects as a system of its own),
and the selected system's scans."""

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.scan.projects import project_scan
from mldebt_core.settings import DEFAULT_STORE_SETTINGS
from mldebt_core.store import parse_scan, queries
from mldebt_core.usecases.scans import store_scan
from pages.components import analyses
from pages.components import common as ui

LIMIT_MB = DEFAULT_STORE_SETTINGS.max_scan_bytes / 1_000_000
WHOLE = "the whole repository"


def _stage_upload() -> None:
    """Validate each new upload once (the callback runs on change, not on every rerun); a scan of one project is
    stored at once, a monorepo's waits for the user to pick what to store."""
    upload = st.session_state["scans_upload"]
    st.session_state.pop("scans_outcome", None)
    st.session_state.pop("scans_staged", None)
    if upload is None:
        return
    try:
        document = parse_scan(upload.getvalue(), upload.name)
    except MldebtError as error:
        ui.remember("scans_outcome", error)
        return
    if document.projects:
        st.session_state["scans_staged"] = (upload.name, document)
    else:
        _store(upload.name, document, None)


def _store(name: str, document, project) -> None:
    if project is not None:
        document, system = project_scan(document, project.path), project.name
    else:
        system = None
    try:
        result = store_scan(ui.store(), document, name, system, analyses=analyses.ANALYSES)
    except MldebtError as error:
        ui.remember("scans_outcome", error)
        return
    done = "stored" if result.created else "already stored"
    ui.remember("scans_outcome", success=f"{name}: {done} as scan #{result.scan_id} of system {result.system}.")


st.title("Scans")
st.file_uploader(f"Upload a scan JSON (at most {LIMIT_MB:g} MB)", type="json", key="scans_upload",
                 on_change=_stage_upload,
                 help="Scans larger than StoreSettings.max_scan_bytes are refused before they are read.")
staged = st.session_state.get("scans_staged")
if staged is not None:
    name, document = staged
    st.caption(f"{ui.plain(name)} is the scan of a monorepo of {len(document.projects)} projects: store it whole, "
               "or one project as a system of its own.")
    choice = st.selectbox("Store", [WHOLE, *document.projects], key="scans_project",
                          format_func=lambda p: p if p == WHOLE else f"project {p.name} ({p.path})")
    if st.button("Store the scan", type="primary", key="scans_store"):
        _store(name, document, None if choice == WHOLE else choice)
        st.session_state.pop("scans_staged")
        st.rerun()
ui.show_outcome("scans_outcome")

st.caption("Produce a scan of a repository with the CLI, then upload it here:")
st.code("mldebt scan PATH -o scan.json", language="bash")

chosen = ui.selection()
if chosen is None:
    st.info("No scans stored yet.")
else:
    st.subheader("Scans of the system picked in the sidebar")
    st.dataframe(queries.list_scans(ui.store(), chosen[0]), hide_index=True)
