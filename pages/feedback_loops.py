"""Feedback Loops (paper § 4): the holdout against the treatment over time, when and how strongly they
diverge, whether the holdout is fit to tell, and the loops the scan found in the code's lineage."""

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.feedback import charts
from mldebt_core.feedback.histograms import Selection
from mldebt_core.feedback.metrics import BUILT_IN
from mldebt_core.feedback.report import FeedbackOptions
from mldebt_core.graph_html import graph_html
from mldebt_core.logs.summary import log_summary
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS as SETTINGS
from pages.components import analyses
from pages.components import common as ui

EVERY_OTHER = "Every other segment"
GRAPH_HEIGHT = 420


@ui.cached(max_entries=8)
def _summary(store, system: str, version: str):
    return log_summary(store, system)


@ui.cached(max_entries=8)
def _drawing(store, system: str, version: str, scan_id: int, _graph) -> str:
    return graph_html(_graph, f"Lineage loops of {system}, scan #{scan_id}", GRAPH_HEIGHT)


st.title("Feedback Loops")
store = ui.store()
system, _ = ui.require_selection()
st.caption(f"{ui.plain(system)} · holdout against treatment, paper § 4")
version = ui.version(system)
summary = _summary(store, system, version)
if summary is None:
    st.info("This system has no prediction log yet: store one on the Monitoring page or with "
            "`mldebt ingest-log FILE --system NAME`.")
    st.stop()
top = st.container()  # the verdict goes above the pickers it depends on

left, middle, right, fourth, fifth = st.columns(5)
model = ui.pick_model(summary.models, "feedback_model", left)
metrics = [name for name, m in BUILT_IN.items() if summary.labelled or not m.needs_labels]
metric = middle.selectbox("Metric", [*metrics, *summary.feature_names("numeric")], key="feedback_metric")
segments = summary.segments
holdout = right.selectbox("Holdout segment", segments, key="feedback_holdout",
                          index=segments.index(SETTINGS.holdout_segment) if SETTINGS.holdout_segment in segments else 0)
treatment = fourth.selectbox("Treatment", [EVERY_OTHER, *(s for s in segments if s != holdout)],
                             key="feedback_treatment")
window = ui.pick_window("feedback_window", fifth)
try:
    selection = Selection(model, holdout, None if treatment == EVERY_OTHER else treatment, window)
    # the first metric with labels is what the defaults detect on; asking for it by name is the default run
    options = FeedbackOptions(selection, () if metric == metrics[0] else (metric,))
    with st.spinner("Comparing the holdout with the treatment…"):
        report, every_metric = analyses.feedback(store, system, version, options)
except MldebtError as error:
    top.error(ui.plain(str(error)))
    st.stop()

comparison, detection, health = report.comparison, report.comparison.detection, report.health
shown = comparison.primary.metric
(top.warning if detection.flagged else top.success if detection.effect else top.info)(ui.plain(report.verdict))
for warning in health.warnings:
    top.warning(ui.plain(warning))
if not options.is_default:
    top.caption("The system's feedback findings come from its defaults (every model, the holdout against every "
                "other segment, per day, label rate first).")
frame = every_metric[every_metric["metric"] == shown.name]

first, second, third = st.columns(3)
first.metric("Holdout share, recent windows", f"{health.recent_share:.1%}",
             delta=f"{health.recent_share - health.early_share:+.1%} since the first windows", delta_color="off")
scale, unit = (100, " points") if shown.is_rate else (1, "")
second.metric(f"Minimum detectable effect ({SETTINGS.mde_windows} windows)",
              "n/a" if health.current_mde is None else f"{health.current_mde * scale:.3g}{unit}")
third.metric("Holdout rows with a model action", f"{health.contaminated_rows:,}")

st.plotly_chart(charts.sides_figure(frame, shown, comparison.selection.window), key="feedback_metric_chart")
ui.download("Download every metric per window (CSV)", every_metric, f"feedback-{comparison.selection.window}.csv",
            "feedback_csv")
st.plotly_chart(charts.gap_figure(frame, shown, detection), key="feedback_gap_chart")
share, mde = st.columns(2)
share.plotly_chart(charts.share_figure(frame), key="feedback_share_chart")
mde.plotly_chart(charts.mde_figure(frame, shown), key="feedback_mde_chart")

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
    st.iframe(_drawing(store, system, version, lineage.scan_id, lineage.graph), height=GRAPH_HEIGHT + 60)
