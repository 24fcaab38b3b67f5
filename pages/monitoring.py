"""Monitoring (paper § 7): upload a prediction log, then watch prediction bias, drift, action limits and the
up-stream producers of the selected system, for a chosen model, window size and reference."""

import tempfile
from datetime import timedelta

import pandas as pd
import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.monitoring import charts
from mldebt_core.monitoring.alerts import record_monitoring_findings
from mldebt_core.monitoring.dashboard import data_version, log_summary, monitoring_view
from mldebt_core.monitoring.ingest import ingest_logs, preview_log, stage_upload
from mldebt_core.monitoring.limits import METRICS, ActionLimit, limits_table, list_limits, remove_limit, save_limit
from mldebt_core.monitoring.reference import Reference, profile_names
from mldebt_core.monitoring.roles import ROLES
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, DEFAULT_LOG_INGEST_SETTINGS
from pages import common

ALL_MODELS = "All models"
WINDOWS = ["day", "hour", "week"]
REFERENCES = ["First days", "Date range", "Stored profile"]
HEADLINE = [("Drift alerts", "drift_alerts", "columns × windows at 'alert'"),
            ("Bias flagged", "bias_flagged", "{window}s whose bias is flagged"),
            ("Limit breaches", "limit_breaches", "windows over a limit"),
            ("Unhealthy producers", "unhealthy_producers", "features whose producer is not ok")]
LOG_TYPES = ["csv", "tsv", "parquet", "pq", "jsonl", "ndjson", "json", "gz"]
SERIES = ["delivered_per_window", "null_rate_per_window"]  # drawn as sparklines, left out of the CSV
PRODUCER_COLUMNS = ["feature", "status", "issues", *SERIES, "source", "feeds", "flagged_windows", "first_flagged",
                    "last_flagged", "null_rate", "reference_null_rate", "worst_null_rate", "last_null_rate",
                    "out_of_range_share", "last_value_at", "hours_since_last_value", "kind"]


# The version in every key: a new log file, limit or source refreshes the cached results, nothing else does.
@st.cache_data(max_entries=8, show_spinner=False)
def _summary(_store, db: str, system: str, version: str):
    return log_summary(_store, system)


@st.cache_data(max_entries=64, show_spinner="Computing bias, drift, limits and producers…")
def _view(_store, db: str, system: str, version: str, model, window: str, days, start, end, profile):
    return monitoring_view(_store, system, model, window, Reference(days, start, end, profile))


def _stage() -> None:
    """Copy a new upload beside the session and preview it (roles proposed from its columns); nothing stored."""
    upload = st.session_state["monitoring_upload"]
    st.session_state.pop("monitoring_outcome", None)
    st.session_state.pop("monitoring_preview", None)
    if upload is None:
        return
    folder = st.session_state.setdefault("monitoring_folder", tempfile.mkdtemp(prefix="mldebt-upload-"))
    try:
        path = stage_upload(upload.name, upload, folder)
        st.session_state["monitoring_preview"] = (path, preview_log(common.store(), path, upload.name))
    except MldebtError as error:
        st.session_state["monitoring_outcome"] = ("error", str(error))


def _ingest(system: str, roles: dict[str, str]) -> None:
    path, preview = st.session_state.pop("monitoring_preview")
    try:
        result = ingest_logs(common.store(), system, [path], roles, names=[preview.source])
    except MldebtError as error:
        st.session_state["monitoring_outcome"] = ("error", str(error))
        st.session_state["monitoring_preview"] = (path, preview)  # let the user fix the roles and retry
        return
    path.unlink(missing_ok=True)  # stored: the staged copy is no longer needed
    done = result.files[0]
    if done.duplicate:
        message = f"{done.source}: already stored for {system}; nothing added."
    else:
        message = f"{done.source}: stored {done.rows:,} rows ({done.first_ts:%Y-%m-%d %H:%M} to " \
                  f"{done.last_ts:%Y-%m-%d %H:%M}) in the log of {system}."
    try:
        record_monitoring_findings(common.store(), system)
    except MldebtError as error:
        message += f" Its alerts were not recorded as findings: {error}"
    st.session_state["monitoring_outcome"] = ("success", message)


def _upload(system: str, expanded: bool) -> None:
    limit = DEFAULT_LOG_INGEST_SETTINGS.max_upload_bytes / 1e6
    with st.expander("Upload a prediction log", expanded=expanded):
        st.file_uploader(f"CSV, Parquet or JSON Lines, gzip too (at most {limit:,.0f} MB)", type=LOG_TYPES,
                         key="monitoring_upload", on_change=_stage)
        staged = st.session_state.get("monitoring_preview")
        if staged is not None:
            preview = staged[1]
            st.caption(f"First rows of {common.plain(preview.source)} ({preview.format}):")
            st.dataframe(preview.sample, hide_index=True, key="monitoring_sample")
            proposed = pd.DataFrame({"column": [c.name for c in preview.columns],
                                     "type": [c.type for c in preview.columns],
                                     "role": [preview.roles[c.name] for c in preview.columns]})
            st.caption("Check the role of each column: timestamp and prediction are required; features are "
                       "numeric or categorical; ignored columns are not stored.")
            edited = st.data_editor(proposed, disabled=["column", "type"], hide_index=True, key="monitoring_roles",
                                    column_config={"role": st.column_config.SelectboxColumn(options=ROLES,
                                                                                           required=True)})
            if st.button(f"Store in the log of {system}", type="primary", key="monitoring_ingest"):
                with st.spinner("Storing the log…"):
                    _ingest(system, dict(zip(edited["column"], edited["role"])))
                st.rerun()
        outcome = st.session_state.get("monitoring_outcome")
        if outcome is not None:
            (st.success if outcome[0] == "success" else st.error)(common.plain(outcome[1]))
        st.caption("Or from a shell (while this dashboard is stopped):")
        st.code(f"mldebt ingest-log FILE --system {system}", language="bash")


def _edit_limits(system: str, models: tuple[str, ...], limits: list[ActionLimit]) -> None:
    """A form that stores a new limit, and a picker that removes one; the page reruns to judge the log anew."""
    with st.expander("Add or remove an action limit"):
        with st.form("monitoring_limit_form"):
            left, middle, right = st.columns(3)
            metric = left.selectbox("Metric", list(METRICS), key="limit_metric",
                                    format_func=lambda m: f"{METRICS[m].title} ({METRICS[m].unit})")
            per = middle.selectbox("Per", WINDOWS, key="limit_per")
            applies = right.selectbox("Model", [ALL_MODELS, *models], key="limit_model",
                                      help="All models: each model is judged on its own")
            left, middle, right = st.columns(3)
            lower = left.number_input("At least", value=None, format="%g", key="limit_at_least")
            upper = middle.number_input("At most", value=None, format="%g", key="limit_at_most")
            positive = right.text_input("Also counts as a positive action", key="limit_positive",
                                        help="besides 'true', 'yes' and numbers other than 0, e.g. 'offer'")
            if st.form_submit_button("Add limit"):
                _apply(lambda: save_limit(common.store(), system, ActionLimit(
                    metric, per, lower, upper, None if applies == ALL_MODELS else applies, positive.strip() or None)),
                    "Stored limit #{id}: {meaning}.")
        if limits:
            left, right = st.columns([3, 1])
            chosen = left.selectbox("Limit", [limit.id for limit in limits], key="limit_remove_pick",
                                    format_func={limit.id: f"#{limit.id}: {limit.meaning}" for limit in limits}.get)
            if right.button("Remove limit", key="limit_remove"):
                _apply(lambda: remove_limit(common.store(), system, chosen), "Removed limit #{id}: {meaning}.")
        outcome = st.session_state.pop("monitoring_limit_outcome", None)
        if outcome is not None:
            (st.success if outcome[0] == "success" else st.error)(common.plain(outcome[1]))


def _apply(change, message: str) -> None:
    """Run a limit change; its outcome is shown after the rerun that judges the log with the new limits."""
    try:
        limit = change()
    except MldebtError as error:
        st.session_state["monitoring_limit_outcome"] = ("error", str(error))
    else:
        st.session_state["monitoring_limit_outcome"] = ("success", message.format(id=limit.id, meaning=limit.meaning))
        st.rerun()


def _reference(summary, system: str) -> tuple:
    """(days, start, end, profile) of the reference the user picks."""
    profiles = profile_names(common.store(), system)
    kind = st.radio("Reference", REFERENCES if profiles else REFERENCES[:2], horizontal=True,
                    key="monitoring_reference")
    if kind == "First days":
        span = (summary.last_ts.date() - summary.first_ts.date()).days + 1
        days = st.number_input("First days of the log", 1, span, min(DEFAULT_DRIFT_SETTINGS.reference_days, span),
                               key="monitoring_days")
        return int(days), None, None, None
    if kind == "Date range":
        first = summary.first_ts.date()
        chosen = st.date_input("From, to (inclusive)", (first, first + timedelta(days=6)), first,
                               summary.last_ts.date(), key="monitoring_range")
        if len(chosen) != 2:
            st.info("Pick the last day of the reference too.")
            st.stop()
        return None, pd.Timestamp(chosen[0]).to_pydatetime(), pd.Timestamp(chosen[1] + timedelta(days=1)) \
            .to_pydatetime(), None
    return None, None, None, st.selectbox("Stored profile", profiles, key="monitoring_profile")


def _download(label: str, frame, name: str, key: str) -> None:
    st.download_button(label, frame.to_csv(index=False), file_name=name, mime="text/csv", on_click="ignore",
                       key=key)


store = common.store()
db = str(store.path)
system, _ = common.require_selection()
version = data_version(store, system)
summary = _summary(store, db, system, version)
st.title("Monitoring")
if summary is None:
    st.caption(f"{common.plain(system)} · paper § 7")
    st.info(f"{common.plain(system)} has no prediction log yet. Upload one here, or store one from a shell with "
            "`mldebt ingest-log FILE --system NAME`.")
    _upload(system, expanded=True)
    st.stop()

st.caption(f"{common.plain(system)} · {summary.rows:,} predictions from {summary.first_ts:%Y-%m-%d %H:%M} to "
           f"{summary.last_ts:%Y-%m-%d %H:%M} · {len(summary.models)} model(s) · {summary.features} features")
_upload(system, expanded=False)

left, middle = st.columns(2)
picked = left.selectbox("Model", [ALL_MODELS, *summary.models], key="monitoring_model")
model = None if picked == ALL_MODELS else picked
window = middle.radio("Window", WINDOWS, horizontal=True, key="monitoring_window")
reference = _reference(summary, system)
try:
    view = _view(store, db, system, version, model, window, *reference)
except MldebtError as error:
    st.error(common.plain(str(error)))
    st.stop()

drift = view.drift.windows
health = view.producers.health
for column, (label, key, unit) in zip(st.columns(4), HEADLINE):
    column.metric(label, f"{view.headline[key]:,}", help=unit.format(window=window))
st.caption(f"Reference: {view.drift.period.start:%Y-%m-%d %H:%M} to {view.drift.period.end:%Y-%m-%d %H:%M} "
           f"({view.drift.period.rows:,} rows)")

st.subheader("Prediction bias")
left, right = st.columns(2)
left.caption("Mean prediction against the observed label mean (labelled rows only)")
left.plotly_chart(charts.bias_figure(view.bias), key="monitoring_bias")
right.caption("Quantile bands of the prediction")
right.plotly_chart(charts.bands_figure(view.bias), key="monitoring_bands")
_download("Bias per window (CSV)", view.bias, f"bias-{window}.csv", "monitoring_bias_csv")

st.subheader("Drift")
st.caption("Population stability index per column and window against the reference; hover for JS, "
           "Wasserstein and the level")
st.plotly_chart(charts.drift_heatmap(drift), key="monitoring_drift")
_download("Drift per column and window (CSV)", drift, f"drift-{window}.csv", "monitoring_drift_csv")

st.subheader("Action limits")
limits = list_limits(store, system, model)
if not limits:
    st.info(f"No action limit for {common.plain(system)} yet: add one below, or from a shell, e.g. "
            f"`mldebt limits --system NAME --add positive_share --per hour --at-most 0.35`.")
else:
    st.dataframe(limits_table(limits)[["limit_id", "model", "meaning", "unit"]].fillna({"model": "every model"}),
                 hide_index=True, key="monitoring_limits")
    st.plotly_chart(charts.limits_figure(view.limits), key="monitoring_limits_chart")
    if view.breaches.empty:
        st.success("No window breaches a limit.")
    else:
        st.dataframe(view.breaches[["window_start", "window_end", "model", "value", "lower", "upper", "unit", "meaning"]],
                     hide_index=True, key="monitoring_breaches")
        _download("Breaches (CSV)", view.breaches, "limit-breaches.csv", "monitoring_breaches_csv")
_edit_limits(system, summary.models, limits)

st.subheader("Up-stream producers")
st.caption(f"Per feature, worst first; sparklines per {window}: delivered values and null rate")
st.dataframe(health, hide_index=True, key="monitoring_producers", column_order=PRODUCER_COLUMNS, column_config={
    "delivered_per_window": st.column_config.LineChartColumn("delivered", y_min=0),
    "null_rate_per_window": st.column_config.LineChartColumn("null rate", y_min=0, y_max=1),
    "hours_since_last_value": st.column_config.NumberColumn("hours since last value", format="%.1f"),
})
_download("Producer health (CSV)", health.drop(columns=SERIES), f"producers-{window}.csv", "monitoring_producers_csv")
if not view.sources.empty:
    st.caption("Per declared source, and the scanned models it feeds")
    st.dataframe(view.sources, hide_index=True, key="monitoring_sources")

if st.button("Record these alerts as findings", key="monitoring_record",
             help="Replaces the system's monitoring findings (all models, this window and reference), which the "
                  "Findings views and the checklist read"):
    try:
        found = record_monitoring_findings(store, system, Reference(*reference), window)
        st.success(common.plain(f"Recorded {len(found)} monitoring finding(s) for {system}."))
    except MldebtError as error:
        st.error(common.plain(str(error)))
