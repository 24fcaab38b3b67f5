"""What the pages share: the store of this server process, the picked system and scan, the one caching
convention, pickers, downloads, outcome messages, the monitoring reference and limits, and the prediction-log
upload. Not a page (app.py lists the pages)."""

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from mldebt_core import samples
from mldebt_core.errors import MldebtError
from mldebt_core.feedback.report import SOURCE as FEEDBACK
from mldebt_core.feedback.report import FeedbackOptions, feedback_report, windows_frame
from mldebt_core.logs.ingest import preview_log, stage_upload
from mldebt_core.logs.roles import ROLES
from mldebt_core.logs.windows import DEFAULT_WINDOW, WINDOWS
from mldebt_core.monitoring.findings import SOURCE as MONITORING
from mldebt_core.monitoring.limits import METRICS, ActionLimit
from mldebt_core.monitoring.reference import Reference, profile_names
from mldebt_core.monitoring.view import MonitoringOptions, monitoring_view
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, DEFAULT_FINDINGS_VIEW_SETTINGS, DEFAULT_LOG_INGEST_SETTINGS
from mldebt_core.store import Store, default_db_path, queries
from mldebt_core.store.versions import system_version
from mldebt_core.usecases.logs import store_log
from mldebt_core.usecases.monitoring import add_limit, remove_limit

ALL_MODELS = "All models"
LOG_TYPES = ["csv", "tsv", "parquet", "pq", "jsonl", "ndjson", "json", "gz"]
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


@st.cache_resource
def store() -> Store:
    """One store per server process; it hands each thread its own cursor."""
    return Store(Path(os.environ["MLDEBT_DB"]) if os.environ.get("MLDEBT_DB") else default_db_path())


def cached(shared: bool = False, **options):
    """The one caching convention: `st.cache_data` over core calls that take the store first (hashed by its path)
    and, among their arguments, the system's `version()` or an id that never changes (a stored scan), so a result
    is recomputed exactly when something it reads changed. `shared=True`: one read-only object for every session
    (`st.cache_resource`), for results too large to copy on each rerun (graphs)."""
    cache = st.cache_resource if shared else st.cache_data
    return cache(hash_funcs={Store: lambda s: str(s.path)}, show_spinner=False, **options)


def version(system: str) -> str:
    return system_version(store(), system)


@cached(max_entries=64)
def monitoring(store: Store, system: str, version: str, options: MonitoringOptions):
    return monitoring_view(store, system, options)


@cached(max_entries=32)
def feedback(store: Store, system: str, version: str, options: FeedbackOptions):
    report = feedback_report(store, system, options)
    return report, windows_frame(report.comparison)


ANALYSES = {MONITORING: lambda store, system: monitoring(store, system, version(system), MonitoringOptions()).findings,
            FEEDBACK: lambda store, system: feedback(store, system, version(system), FeedbackOptions())[0].findings}
"""the log analyses the use cases re-run after a change, through the caches the pages read: computed once"""


def plain(text: str) -> str:
    """Text for st.success/st.error/st.markdown, which render Markdown: file names and values from an
    uploaded scan must show as typed, never as a link, an image or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def load_sample() -> None:
    samples.load_sample(store())


# -- the picked system and scan ------------------------------------------------------------------------------


def selection() -> tuple[str, int | None] | None:
    """(system, scan id) of the sidebar picker, else the URL's, else the first system and its latest scan;
    the scan id is None for a system with only a prediction log (`mldebt ingest-log --system NEW`)."""
    systems = queries.list_systems(store())
    if not systems:
        return None
    system = st.session_state.get("system") or st.query_params.get("system")
    system = system if system in systems else systems[0]
    ids = [int(i) for i in queries.list_scans(store(), system)["scan_id"]]
    wanted = st.session_state.get("scan_id") or st.query_params.get("scan")
    if wanted is not None and str(wanted).isdigit() and int(wanted) in ids:
        return system, int(wanted)
    return system, ids[0] if ids else None


def require_selection() -> tuple[str, int | None]:
    """The selection, or a hint to load the sample and an early stop of the page."""
    chosen = selection()
    if chosen is None:
        st.info("No system yet. Load the sample system from the sidebar, or upload a scan on the Scans page.")
        st.stop()
    return chosen


def require_scan() -> tuple[str, int]:
    """The selection of a page that shows a scan, or a hint when the chosen system has none yet."""
    system, scan_id = require_selection()
    if scan_id is None:
        st.info(f"System {plain(system)} has no scan yet. Upload one on the Scans page, or run "
                f"`mldebt scan PATH --system \"{system}\" --ingest`.")
        st.stop()
    return system, scan_id


# -- pickers, downloads, outcomes ----------------------------------------------------------------------------


def pick_model(models, key: str, where=st) -> str | None:
    """A model of the log, or None for all of them together."""
    picked = where.selectbox("Model", [ALL_MODELS, *models], key=key)
    return None if picked == ALL_MODELS else picked


def pick_window(key: str, where=st) -> str:
    return where.radio("Window", [DEFAULT_WINDOW, *(w for w in WINDOWS if w != DEFAULT_WINDOW)], horizontal=True,
                       key=key)


MIN_CONFIDENCE = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence


def confidence_floor(hidden: int, key: str) -> int:
    """The confidence (percent) under which a page hides findings: MIN_CONFIDENCE, or 0 once the user turns the
    toggle on; says how many findings (`hidden`, counted at MIN_CONFIDENCE) it hides."""
    show = st.toggle(f"Show findings under {MIN_CONFIDENCE}% confidence", key=key,
                     help="A finding's confidence is its kind's measured precision: the share of such findings "
                          "judged real debt on a labelled corpus of real repositories (setting "
                          "FindingsViewSettings.min_confidence).")
    if hidden and not show:
        st.caption(f"{hidden:,} finding{'s' if hidden != 1 else ''} under {MIN_CONFIDENCE}% confidence hidden.")
    return 0 if show else MIN_CONFIDENCE


def download(label: str, frame: pd.DataFrame, file_name: str, key: str) -> None:
    """A CSV download of a frame (no rerun on click)."""
    st.download_button(label, frame.to_csv(index=False), file_name=file_name, mime="text/csv", on_click="ignore",
                       key=key)


def remember(key: str, error: MldebtError | None = None, success: str | None = None) -> None:
    """Keep the outcome of an action for `show_outcome`, which runs after the rerun the action causes."""
    st.session_state[key] = ("error", str(error)) if error is not None else ("success", success)


def show_outcome(key: str, keep: bool = True) -> None:
    """The remembered outcome under `key`, as a success or an error (`keep=False`: shown once)."""
    outcome = st.session_state.get(key) if keep else st.session_state.pop(key, None)
    if outcome is not None:
        (st.success if outcome[0] == "success" else st.error)(plain(outcome[1]))


# -- monitoring: the reference, action limits ------------------------------------------------------------------

REFERENCES = ["First days", "Date range", "Stored profile"]


def pick_reference(summary, system: str) -> Reference:
    """The reference the user picks: the log's first days, a date range or a stored profile."""
    profiles = profile_names(store(), system)
    kind = st.radio("Reference", REFERENCES if profiles else REFERENCES[:2], horizontal=True,
                    key="monitoring_reference")
    if kind == "First days":
        span = (summary.last_ts.date() - summary.first_ts.date()).days + 1
        days = st.number_input("First days of the log", 1, span, min(DEFAULT_DRIFT_SETTINGS.reference_days, span),
                               key="monitoring_days")
        return Reference(days=int(days))
    if kind == "Date range":
        first = summary.first_ts.date()
        chosen = st.date_input("From, to (inclusive)", (first, first + timedelta(days=6)), first,
                               summary.last_ts.date(), key="monitoring_range")
        if len(chosen) != 2:
            st.info("Pick the last day of the reference too.")
            st.stop()
        return Reference.between(chosen[0], chosen[1] + timedelta(days=1))
    return Reference.stored(st.selectbox("Stored profile", profiles, key="monitoring_profile"))


def limits_form(system: str, models: tuple[str, ...], limits: list[ActionLimit]) -> None:
    """Add a limit, or remove one; the change re-runs the monitoring findings, the rerun judges the log anew."""
    with st.expander("Add or remove an action limit"):
        with st.form("monitoring_limit_form"):
            left, middle, right = st.columns(3)
            metric = left.selectbox("Metric", list(METRICS), key="limit_metric",
                                    format_func=lambda m: f"{METRICS[m].title} ({METRICS[m].unit})")
            per = pick_window("limit_per", middle)
            model = pick_model(models, "limit_model", right)
            left, middle, right = st.columns(3)
            lower = left.number_input("At least", value=None, format="%g", key="limit_at_least")
            upper = middle.number_input("At most", value=None, format="%g", key="limit_at_most")
            positive = right.text_input("Also counts as a positive action", key="limit_positive",
                                        help="besides 'true', 'yes' and numbers other than 0, e.g. 'offer'")
            if st.form_submit_button("Add limit"):
                limit = (metric, per, lower, upper, model, positive.strip() or None)
                _change_limit(lambda: add_limit(store(), system, ActionLimit(*limit), ANALYSES),
                              "Stored limit #{id}: {meaning}.")
        if limits:
            left, right = st.columns([3, 1])
            chosen = left.selectbox("Limit", [limit.id for limit in limits], key="limit_remove_pick",
                                    format_func={limit.id: f"#{limit.id}: {limit.meaning}" for limit in limits}.get)
            if right.button("Remove limit", key="limit_remove"):
                _change_limit(lambda: remove_limit(store(), system, chosen, ANALYSES),
                              "Removed limit #{id}: {meaning}.")
        show_outcome("limit_outcome", keep=False)


def _change_limit(change, message: str) -> None:
    try:
        limit = change()
    except MldebtError as error:
        remember("limit_outcome", error)
    else:
        remember("limit_outcome", success=message.format(id=limit.id, meaning=limit.meaning))
        st.rerun()


# -- the prediction-log upload --------------------------------------------------------------------------------


def log_upload(system: str, expanded: bool) -> None:
    """Upload a log, check the roles proposed for its columns, store it (the log analyses then re-run)."""
    limit = DEFAULT_LOG_INGEST_SETTINGS.max_upload_bytes / 1e6
    with st.expander("Upload a prediction log", expanded=expanded):
        st.file_uploader(f"CSV, Parquet or JSON Lines, gzip too (at most {limit:,.0f} MB)", type=LOG_TYPES,
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
