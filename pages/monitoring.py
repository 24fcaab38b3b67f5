"""Monitoring (paper § 7): upload a prediction log, then watch prediction bias, drift, action limits and the
up-stream producers of the selected system, for a chosen model, window and reference."""

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.logs.summary import log_summary
from mldebt_core.monitoring import charts
from mldebt_core.monitoring.limits import limits_table, list_limits
from mldebt_core.monitoring.view import MonitoringOptions
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS
from pages.components import analyses, log_upload, monitoring_controls
from pages.components import common as ui

HEADLINE = [("Drift alerts", "drift_alerts", "columns × windows at 'alert'"),
            ("Bias flagged", "bias_flagged", "{window}s whose bias is flagged"),
            ("Limit breaches", "limit_breaches", "windows over a limit"),
            ("Unhealthy producers", "unhealthy_producers", "features whose producer is not ok")]
SERIES = ["delivered_per_window", "null_rate_per_window"]  # drawn as sparklines, left out of the CSV
PRODUCER_COLUMNS = ["feature", "status", "issues", *SERIES, "source", "feeds", "flagged_windows", "first_flagged",
                    "last_flagged", "null_rate", "reference_null_rate", "worst_null_rate", "last_null_rate",
                    "out_of_range_share", "last_value_at", "hours_since_last_value", "kind"]


@ui.cached(max_entries=8)
def _summary(store, system: str, version: str):
    return log_summary(store, system)


store = ui.store()
system, _ = ui.require_selection()
version = ui.version(system)
summary = _summary(store, system, version)
st.title("Monitoring")
if summary is None:
    st.caption(f"{ui.plain(system)} · paper § 7")
    st.info(f"{ui.plain(system)} has no prediction log yet. Upload one here, or store one from a shell with "
            "`mldebt ingest-log FILE --system NAME`.")
    log_upload.log_upload(system, expanded=True)
    st.stop()

st.caption(f"{ui.plain(system)} · {summary.rows:,} predictions from {summary.first_ts:%Y-%m-%d %H:%M} to "
           f"{summary.last_ts:%Y-%m-%d %H:%M} · {len(summary.models)} model(s) · {len(summary.features)} features")
log_upload.log_upload(system, expanded=False)

left, middle = st.columns(2)
model = ui.pick_model(summary.models, "monitoring_model", left)
window = ui.pick_window("monitoring_window", middle)
options = MonitoringOptions(model, window, monitoring_controls.pick_reference(summary, system))
try:
    with st.spinner("Computing bias, drift, limits and producers…"):
        view = analyses.monitoring(store, system, version, options)
except MldebtError as error:
    st.error(ui.plain(str(error)))
    st.stop()

for column, (label, key, unit) in zip(st.columns(4), HEADLINE):
    column.metric(label, f"{view.headline[key]:,}", help=unit.format(window=window))
period = view.drift.period
st.caption(f"Reference: {period.start:%Y-%m-%d %H:%M} to {period.end:%Y-%m-%d %H:%M} ({period.rows:,} rows). "
           + ("These are the system's defaults: their alerts are its monitoring findings." if options.is_default else
              "The system's monitoring findings come from its defaults (all models, day, first "
              f"{DEFAULT_DRIFT_SETTINGS.reference_days} days)."))

st.subheader("Prediction bias")
left, right = st.columns(2)
left.caption("Mean prediction against the observed label mean (labelled rows only)")
left.plotly_chart(charts.bias_figure(view.bias), key="monitoring_bias")
right.caption("Quantile bands of the prediction")
right.plotly_chart(charts.bands_figure(view.bias), key="monitoring_bands")
ui.download("Bias per window (CSV)", view.bias, f"bias-{window}.csv", "monitoring_bias_csv")

st.subheader("Drift")
st.caption("Population stability index per column and window against the reference; hover for JS, "
           "Wasserstein and the level")
st.plotly_chart(charts.drift_heatmap(view.drift.windows), key="monitoring_drift")
ui.download("Drift per column and window (CSV)", view.drift.windows, f"drift-{window}.csv", "monitoring_drift_csv")

st.subheader("Action limits")
limits = list_limits(store, system, model)
if not limits:
    st.info(f"No action limit for {ui.plain(system)} yet: add one below, or from a shell, e.g. "
            f"`mldebt limits --system NAME --add positive_share --per hour --at-most 0.35`.")
else:
    st.dataframe(limits_table(limits)[["limit_id", "model", "meaning", "unit"]].fillna({"model": "every model"}),
                 hide_index=True, key="monitoring_limits")
    st.plotly_chart(charts.limits_figure(view.limits), key="monitoring_limits_chart")
    if view.breaches.empty:
        st.success("No window breaches a limit.")
    else:
        shown = ["window_start", "window_end", "model", "value", "lower", "upper", "unit", "meaning"]
        st.dataframe(view.breaches[shown], hide_index=True, key="monitoring_breaches")
        ui.download("Breaches (CSV)", view.breaches, "limit-breaches.csv", "monitoring_breaches_csv")
monitoring_controls.limits_form(system, summary.models, limits)

st.subheader("Up-stream producers")
st.caption(f"Per feature, worst first; sparklines per {window}: delivered values and null rate")
health = view.producers.health
st.dataframe(health, hide_index=True, key="monitoring_producers", column_order=PRODUCER_COLUMNS, column_config={
    "delivered_per_window": st.column_config.LineChartColumn("delivered", y_min=0),
    "null_rate_per_window": st.column_config.LineChartColumn("null rate", y_min=0, y_max=1),
    "hours_since_last_value": st.column_config.NumberColumn("hours since last value", format="%.1f"),
})
ui.download("Producer health (CSV)", health.drop(columns=SERIES), f"producers-{window}.csv", "monitoring_producers_csv")
if not view.sources.empty:
    st.caption("Per declared source, and the scanned models it feeds")
    st.dataframe(view.sources, hide_index=True, key="monitoring_sources")
