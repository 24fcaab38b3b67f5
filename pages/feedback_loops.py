"""Feedback Loops (paper § 4): the holdout against the treatment over time, when and how strongly they
diverge, whether the holdout is fit to tell, and the loops the scan found in the code's lineage."""

import plotly.graph_objects as go
import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.feedback.histograms import Selection, log_counts, log_version
from mldebt_core.feedback.metrics import BUILT_IN
from mldebt_core.feedback.report import analyse, audit, windows_frame
from mldebt_core.graph_html import graph_html
from mldebt_core.monitoring.log_table import load_log_schema
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS as SETTINGS
from pages import common

ALL_MODELS = "All models"
EVERY_OTHER = "Every other segment"
WINDOWS = ["day", "hour", "week"]
COLOURS = {"holdout": ("#4c78a8", "rgba(76,120,168,0.2)"), "treatment": ("#e45756", "rgba(228,87,86,0.2)")}
GRAPH_HEIGHT = 420


# A stored log only grows; its version (latest file id) in the key refreshes every cached result.
@st.cache_data(max_entries=8, show_spinner=False)
def _counts(_store, db: str, system: str, version: int):
    return log_counts(_store, system)


@st.cache_data(max_entries=4, show_spinner="Comparing the holdout with the treatment…")
def _audit(_store, db: str, system: str, version: int):
    """The default analysis; recording its findings once per log version, not on every rerun."""
    return audit(_store, system)


@st.cache_data(max_entries=32, show_spinner="Comparing the holdout with the treatment…")
def _analysis(_store, db: str, system: str, version: int, model, metric, holdout, treatment, window):
    return analyse(_store, system, Selection(model, holdout, treatment, window), [metric])


@st.cache_data(max_entries=8, show_spinner=False)
def _drawing(_graph, db: str, system: str, scan_id: int) -> str:
    return graph_html(_graph, f"Lineage loops of {system}, scan #{scan_id}", GRAPH_HEIGHT)


def _band(figure: go.Figure, frame, column: str, name: str, colour: tuple[str, str]) -> None:
    """`column` per window as a line, with its interval as a shaded band over the windows that have one."""
    known = frame[frame[f"{column}_low"].notna()]
    x = list(known["window_start"])
    figure.add_trace(go.Scatter(x=[*x, *x[::-1]], y=[*known[f"{column}_high"], *known[f"{column}_low"][::-1]],
                                fill="toself", fillcolor=colour[1], line={"width": 0}, hoverinfo="skip",
                                name=f"{name} {SETTINGS.confidence:.0%} interval"))
    figure.add_trace(go.Scatter(x=frame["window_start"], y=frame[column], name=name, line={"color": colour[0]},
                                mode="lines+markers"))


st.title("Feedback Loops")
store = common.store()
db = str(store.path)
system, _ = common.require_selection()
st.caption(f"{common.plain(system)} · holdout against treatment, paper § 4")
schema = load_log_schema(store, system)
if schema is None:
    st.info("This system has no prediction log yet: store one on the Monitoring page or with "
            "`mldebt ingest-log FILE --system NAME`.")
    st.stop()
version = log_version(store, system)
counts = _counts(store, db, system, version)
top = st.container()  # the verdict goes above the pickers it depends on

left, middle, right, fourth, fifth = st.columns(5)
model = left.selectbox("Model", [ALL_MODELS, *counts["model"].unique()], key="feedback_model")
labelled = bool(counts["labelled"].sum())
metrics = [name for name, m in BUILT_IN.items() if labelled or not m.needs_labels]
metric = middle.selectbox("Metric", [*metrics, *(f.name for f in schema.features if f.kind == "numeric")],
                          key="feedback_metric")
segments = sorted(counts["segment"].dropna().unique())
holdout = right.selectbox("Holdout segment", segments, key="feedback_holdout",
                          index=segments.index(SETTINGS.holdout_segment) if SETTINGS.holdout_segment in segments else 0)
treatment = fourth.selectbox("Treatment", [EVERY_OTHER, *(s for s in segments if s != holdout)],
                             key="feedback_treatment")
window = fifth.selectbox("Window", WINDOWS, key="feedback_window")

default = (model == ALL_MODELS and metric == metrics[0] and holdout == SETTINGS.holdout_segment
           and treatment == EVERY_OTHER and window == SETTINGS.window)
try:
    report = (_audit(store, db, system, version) if default else
              _analysis(store, db, system, version, None if model == ALL_MODELS else model, metric, holdout,
                        None if treatment == EVERY_OTHER else treatment, window))
except MldebtError as error:
    top.error(common.plain(str(error)))
    st.stop()

comparison, detection, health = report.comparison, report.comparison.detection, report.health
shown = comparison.primary.metric
(top.warning if detection.flagged else top.success if detection.effect else top.info)(common.plain(report.verdict))
for warning in health.warnings:
    top.warning(common.plain(warning))
frame = windows_frame(comparison)
frame = frame[frame["metric"] == shown.name]
x = list(frame["window_start"])

first, second, third = st.columns(3)
first.metric("Holdout share, recent windows", f"{health.recent_share:.1%}",
             delta=f"{health.recent_share - health.early_share:+.1%} since the first windows", delta_color="off")
scale, unit = (100, " points") if shown.is_rate else (1, "")
second.metric(f"Minimum detectable effect ({SETTINGS.mde_windows} windows)",
              "n/a" if health.current_mde is None else f"{health.current_mde * scale:.3g}{unit}")
third.metric("Holdout rows with a model action", f"{health.contaminated_rows:,}")

figure = go.Figure()
for side in ("holdout", "treatment"):
    _band(figure, frame, side, side, COLOURS[side])
figure.update_layout(title=f"{shown.title.capitalize()} per {comparison.selection.window}", yaxis_title=shown.unit)
st.plotly_chart(figure, key="feedback_metric_chart")
st.download_button("Download every metric per window (CSV)", windows_frame(comparison).to_csv(index=False),
                   file_name=f"feedback-{comparison.selection.window}.csv", mime="text/csv", on_click="ignore",
                   key="feedback_csv")

gap = go.Figure()
_band(gap, frame, "gap", "treatment − holdout", COLOURS["treatment"])
gap.add_hline(y=0, line={"color": "grey", "dash": "dot"})
if detection.flagged:
    for index, label, side in ((detection.start, "estimated start", "right"),
                               (detection.first_flagged, "first flagged", "left")):
        gap.add_vline(x=x[index], line={"dash": "dash"})
        gap.add_annotation(x=x[index], y=1, yref="paper", text=label, showarrow=False, xanchor=side)
gap.update_layout(title="The gap and when it opened", yaxis_title=shown.unit)
st.plotly_chart(gap, key="feedback_gap_chart")

share, mde = st.columns(2)
share.plotly_chart(go.Figure(go.Scatter(x=x, y=list(frame["holdout_share"]), mode="lines+markers")).update_layout(
    title="Holdout share of rows", yaxis_tickformat=".1%"), key="feedback_share_chart")
mde.plotly_chart(go.Figure(go.Scatter(x=x, y=list(frame["mde"]), mode="lines+markers")).update_layout(
    title=f"Minimum detectable effect, held {SETTINGS.mde_windows} windows",
    yaxis_tickformat=".1%" if shown.is_rate else None), key="feedback_mde_chart")

if not report.cross_model.empty:
    st.subheader("Across models")
    st.caption(f"Correlation of each pair's per-{comparison.selection.window} changes of the {shown.title} on "
               f"their treatment rows, at the strongest lag (positive: the second model follows the first).")
    st.dataframe(report.cross_model, hide_index=True, key="feedback_cross_model")

st.subheader("Loops in the code's lineage")
lineage = report.lineage
if lineage.scan_id is None:
    st.info("No scan of this system: the lineage loops appear once a scan is stored.")
elif lineage.findings.empty:
    st.info(f"Scan #{lineage.scan_id} found no feedback loop or correction cascade in the lineage.")
else:
    st.dataframe(lineage.findings[["kind", "severity", "file", "line", "message"]], hide_index=True,
                 key="feedback_lineage")
    st.iframe(_drawing(lineage.graph, db, system, lineage.scan_id), height=GRAPH_HEIGHT + 60)
