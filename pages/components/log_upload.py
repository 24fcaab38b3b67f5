"""The prediction-log upload: stage the file, preview it with the roles proposed for its columns, store it."""

import tempfile

import pandas as pd
import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.logs.ingest import preview_log, stage_upload
from mldebt_core.logs.roles import ROLES
from mldebt_core.settings import DEFAULT_LOG_INGEST_SETTINGS
from mldebt_core.usecases.logs import store_log
from pages.components.analyses import ANALYSES
from pages.components.common import plain, remember, show_outcome, store

LOG_TYPES = ["csv", "tsv", "parquet", "pq", "jsonl", "ndjson", "json", "gz"]


def log_upload(system: str, expanded: bool) -> None:
    """Upload a log, check the roles proposed for its columns, store it (the log analyses then re-run)."""
    limit = DEFAULT_LOG_INGEST_SETTINGS.max_upload_bytes / 1e6
    expanded_limit = DEFAULT_LOG_INGEST_SETTINGS.max_upload_decompressed_bytes / 1e6
    with st.expander("Upload a prediction log", expanded=expanded):
        st.file_uploader(f"CSV, Parquet or JSON Lines, gzip too (at most {limit:,.0f} MB, and "
                         f"{expanded_limit:,.0f} MB once decompressed)", type=LOG_TYPES,
                         key="log_upload", on_change=_stage_log)
        staged = st.session_state.get("log_preview")
        if staged is not None:
            preview = staged[1]
            st.caption(f"First rows of {plain(preview.source)} ({preview.format}):")
            st.dataframe(preview.sample, hide_index=True, key="log_sample")
            proposed = pd.DataFrame({"column": [c.name for c in preview.columns],
                                     "type": [c.type for c in preview.columns],
                                     "role": [preview.roles[c.name] for c in preview.columns]})
            st.caption("Check the role of each column: timestamp and prediction are required; features are "
                       "numeric or categorical; ignored columns are not stored.")
            edited = st.data_editor(proposed, disabled=["column", "type"], hide_index=True, key="log_roles",
                                    column_config={"role": st.column_config.SelectboxColumn(options=ROLES,
                                                                                           required=True)})
            if st.button(f"Store in the log of {system}", type="primary", key="log_store"):
                with st.spinner("Storing the log and re-running its analyses…"):
                    _store_log(system, dict(zip(edited["column"], edited["role"])))
                st.rerun()
        show_outcome("log_outcome")
        st.caption("Or from a shell (while this dashboard is stopped):")
        st.code(f"mldebt ingest-log FILE --system {system}", language="bash")


@st.cache_resource
def _upload_folder() -> tempfile.TemporaryDirectory:
    """One staging folder per server, removed with everything in it when the server stops (uploads a session
    previewed but never stored would otherwise stay in /tmp)."""
    return tempfile.TemporaryDirectory(prefix="mldebt-upload-")


def _stage_log() -> None:
    """Copy a new upload beside the session and preview it (roles proposed from its columns); nothing stored."""
    upload = st.session_state["log_upload"]
    st.session_state.pop("log_outcome", None)
    st.session_state.pop("log_preview", None)
    if upload is None:
        return
    folder = st.session_state.setdefault("log_folder", tempfile.mkdtemp(dir=_upload_folder().name))
    try:
        path = stage_upload(upload.name, upload, folder)
        st.session_state["log_preview"] = (path, preview_log(store(), path, upload.name))
    except MldebtError as error:
        remember("log_outcome", error)


def _store_log(system: str, roles: dict[str, str]) -> None:
    path, preview = st.session_state.pop("log_preview")
    try:
        stored = store_log(store(), system, [path], roles, names=[preview.source], analyses=ANALYSES)
    except MldebtError as error:
        remember("log_outcome", error)
        st.session_state["log_preview"] = (path, preview)  # let the user fix the roles and retry
        return
    path.unlink(missing_ok=True)  # stored: the staged copy is no longer needed
    done = stored.ingest.files[0]
    if done.duplicate:
        message = f"{done.source}: already stored for {system}; nothing added."
    else:
        message = (f"{done.source}: stored {done.rows:,} rows ({done.first_ts:%Y-%m-%d %H:%M} to "
                   f"{done.last_ts:%Y-%m-%d %H:%M}) in the log of {system}; findings "
                   + "; ".join(recorded.describe() for recorded in stored.recorded) + ".")
    remember("log_outcome", success=message)
