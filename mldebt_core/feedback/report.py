"""A system's feedback-loop report: the comparison, its detection, holdout health, cross-model correlation,
the scan's lineage loops, a verdict in plain words, and the `hidden_feedback_loop` findings.

`feedback_report` only computes; `usecases.feedback.run_feedback` also records the findings of a run with the
system's defaults (`FeedbackOptions()`)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mldebt_core.feedback.cross_model import cross_model
from mldebt_core.feedback.detection import Detection, Estimate, detect
from mldebt_core.feedback.health import (
    HoldoutHealth,
    contamination,
    holdout_health,
    holdout_share,
    minimum_detectable_effect,
)
from mldebt_core.feedback.histograms import HOLDOUT, TREATMENT, FeedbackError, LogHistograms, Selection, load_histograms
from mldebt_core.feedback.lineage import LineageLoops, lineage_loops
from mldebt_core.feedback.metrics import BUILT_IN, Metric, MetricSeries, metric_named, series
from mldebt_core.logs.table import LogSchema, require_log
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding

SOURCE = "feedback"
"""the analysis_findings source of this analysis"""


@dataclass(frozen=True)
class FeedbackOptions:
    """What a feedback-loop run compares: the rows and window (`selection`) and the metrics (default: every
    built-in one the log supports, label rate first; detection runs on the first)."""

    selection: Selection = Selection()
    metrics: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        """The system's defaults: the run whose findings are recorded."""
        return self == FeedbackOptions()


@dataclass(frozen=True)
class Comparison:
    system: str
    selection: Selection
    series: tuple[MetricSeries, ...]
    """one per metric; detection runs on the first"""
    detection: Detection
    holdout_share: np.ndarray
    histograms: LogHistograms

    @property
    def primary(self) -> MetricSeries:
        return self.series[0]


@dataclass(frozen=True)
class FeedbackReport:
    comparison: Comparison
    health: HoldoutHealth
    cross_model: pd.DataFrame
    lineage: LineageLoops
    verdict: str
    findings: tuple[AnalysisFinding, ...]


def compare(store: Store, schema: LogSchema, selection: Selection = Selection(), metrics: Sequence[str] = (),
            settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> Comparison:
    """Holdout vs treatment per window on `metrics` (default: every built-in one the log supports), and
    detection on the first; one grouped query over the log."""
    asked = tuple(dict.fromkeys(metrics))
    selection = replace(selection, columns=tuple(name for name in asked if name not in BUILT_IN))
    histograms = load_histograms(store, schema, selection, settings)
    chosen = _metrics(asked, histograms, schema.system, selection)
    computed = tuple(series(metric, histograms.pooled, settings) for metric in chosen)
    return Comparison(schema.system, selection, computed, detect(computed[0], settings),
                      holdout_share(histograms.pooled), histograms)


def feedback_report(store: Store, system: str, options: FeedbackOptions = FeedbackOptions(),
                    settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> FeedbackReport:
    """The whole feedback-loop analysis of `system`'s log as `options` say; writes nothing."""
    schema = require_log(store, system)
    comparison = compare(store, schema, options.selection, options.metrics, settings)
    primary = comparison.primary
    health = holdout_health(comparison.holdout_share, minimum_detectable_effect(primary, settings), primary,
                            contamination(store, schema, comparison.selection), settings)
    correlated = cross_model(comparison.histograms.by_model, primary.metric, settings)
    text = verdict(comparison, settings)
    return FeedbackReport(comparison, health, correlated, lineage_loops(store, system), text,
                          tuple(_findings(comparison, correlated, text, settings)))


def _metrics(asked: tuple[str, ...], histograms: LogHistograms, system: str, selection: Selection) -> list[Metric]:
    labelled = histograms.pooled.labelled.sum() > 0
    label_metrics = labelled and histograms.labels_binary
    names = asked or [name for name, m in BUILT_IN.items() if label_metrics or not m.needs_labels]
    chosen = [metric_named(name, selection.columns) for name in names]
    whose = f"model {selection.model!r} in the log of {system}" if selection.model else f"the log of {system}"
    for metric in chosen:
        if metric.needs_labels and not labelled:
            raise FeedbackError(f"metric {metric.name}: needs labels, and {whose} has none; compare "
                                f"mean_prediction or a numeric column instead")
        if metric.needs_labels and not histograms.labels_binary:
            raise FeedbackError(f"metric {metric.name}: needs labels 0/1 (or true/false); {whose} has other "
                                f"label values")
    return chosen


# --- words ----------------------------------------------------------------------------------------------


def verdict(comparison: Comparison, settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> str:
    """The comparison in one sentence, e.g. 'treatment label rate has drifted 8.0 points above holdout since …'."""
    selection, detection = comparison.selection, comparison.detection
    metric = comparison.primary.metric
    windows = comparison.primary.windows
    treatment, holdout = selection.treatment or "treatment", selection.holdout
    unit = f"{selection.window}s"
    if detection.effect is None:
        rows = "labelled rows" if metric.needs_labels else "rows"
        return (f"too little data to judge the {metric.title}: no {selection.window} has {settings.min_segment_rows} "
                f"{rows} in both {holdout} and {treatment}")
    recent = (f"gap over the last {min(settings.effect_windows, detection.usable_windows)} {unit} "
              f"{_interval(detection.effect, metric, settings)}")
    if not detection.flagged:
        return (f"no feedback loop detected: {treatment} {metric.title} tracks {holdout} over "
                f"{detection.usable_windows} {unit} ({recent})")
    side = "above" if detection.effect.value > 0 else "below"
    text = (f"{treatment} {metric.title} has drifted {_amount(detection.effect.value, metric)} {side} {holdout} "
            f"since {when(windows[detection.start], selection.window)} (first flagged "
            f"{when(windows[detection.first_flagged], selection.window)}; {recent})")
    if detection.holdout_stable is True:
        text += f"; {holdout} stable"
    elif detection.holdout_stable is False:
        text += (f"; {holdout} itself moved {_signed(detection.holdout_change.value, metric)} over the same time, "
                 f"so part of the gap may not be the models' doing")
    return text


def when(window: np.datetime64, size: str) -> str:
    """A window start as a date, or date and hour for hourly windows."""
    return pd.Timestamp(window).strftime("%Y-%m-%d %H:00" if size == "hour" else "%Y-%m-%d")


def _amount(value: float, metric: Metric) -> str:
    return f"{abs(value) * 100:.1f} points" if metric.is_rate else f"{abs(value):.3g}"


def _signed(value: float, metric: Metric) -> str:
    return f"{value * 100:+.1f} points" if metric.is_rate else f"{value:+.3g}"


def _interval(estimate: Estimate, metric: Metric, settings: FeedbackSettings) -> str:
    scale, unit = (100, " points") if metric.is_rate else (1, "")
    level = f"{settings.confidence:.0%}"
    if metric.is_rate:
        return (f"{estimate.value * scale:+.1f}{unit}, {level} CI {estimate.low * scale:+.1f} to "
                f"{estimate.high * scale:+.1f}")
    return f"{estimate.value:+.3g}, {level} CI {estimate.low:+.3g} to {estimate.high:+.3g}"


def _findings(comparison: Comparison, correlated: pd.DataFrame, text: str, settings: FeedbackSettings):
    selection, detection = comparison.selection, comparison.detection
    metric, windows = comparison.primary.metric, comparison.primary.windows
    if detection.flagged:
        yield AnalysisFinding(
            "hidden_feedback_loop", f"model:{selection.model or 'all'}/segment:{selection.treatment_label}",
            f"holdout-gap:{metric.name}", text,
            {"metric": metric.name, "holdout": selection.holdout, "treatment": selection.treatment_label,
             "window": selection.window, "start": when(windows[detection.start], selection.window),
             "first_flagged": when(windows[detection.first_flagged], selection.window),
             "effect": detection.effect.value, "effect_low": detection.effect.low,
             "effect_high": detection.effect.high, "holdout_stable": detection.holdout_stable},
            settings.loop_severity.value)
    for row in correlated[correlated["hidden_loop"]].itertuples():
        together = "together" if row.correlation > 0 else "in opposite directions"
        timing = ("in the same window" if row.lag == 0 else
                  f"{row.other_model} {row.lag} {selection.window}(s) after {row.model}" if row.lag > 0 else
                  f"{row.model} {-row.lag} {selection.window}(s) after {row.other_model}")
        yield AnalysisFinding(
            "hidden_feedback_loop", f"models:{row.model}+{row.other_model}", f"cross-model:{metric.name}",
            f"changes of the {metric.title} of {row.model} and {row.other_model} move {together} "
            f"(r = {row.correlation:+.2f}, {timing}): a hidden feedback loop between the models?",
            {"metric": metric.name, "lag": int(row.lag), "correlation": float(row.correlation),
             "windows": int(row.windows), "p_value": float(row.p_value), "window": selection.window},
            settings.cross_model_severity.value)


# --- tables ---------------------------------------------------------------------------------------------


def windows_frame(comparison: Comparison, settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> pd.DataFrame:
    """One row per metric and window: each side's value, interval and rows, the gap and its interval, the MDE,
    the holdout share, and for the detection metric the standardised gap and both CUSUM paths."""
    frames = []
    for index, item in enumerate(comparison.series):
        detection = comparison.detection if index == 0 else None
        blank = np.full(len(item.windows), np.nan)
        frames.append(pd.DataFrame({
            "window_start": pd.to_datetime(item.windows), "metric": item.metric.name,
            **{f"{side}{suffix}": array[:, position] for side, position in (("holdout", HOLDOUT),
                                                                              ("treatment", TREATMENT))
               for suffix, array in (("", item.value), ("_low", item.low), ("_high", item.high),
                                     ("_rows", item.support))},
            "gap": item.gap, "gap_low": item.gap_low, "gap_high": item.gap_high,
            "mde": minimum_detectable_effect(item, settings), "holdout_share": comparison.holdout_share,
            "used": item.usable, "z": detection.z if detection else blank,
            "cusum_up": detection.up if detection else blank, "cusum_down": detection.down if detection else blank}))
    return pd.concat(frames, ignore_index=True)


def report_dict(report: FeedbackReport, settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> dict:
    """The whole report as plain JSON-ready data (the CLI's --format json)."""
    comparison, detection, health = report.comparison, report.comparison.detection, report.health
    selection, windows = comparison.selection, comparison.primary.windows

    def at(index):
        return None if index is None else when(windows[index], selection.window)

    def estimate(value: Estimate | None):
        return None if value is None else {"value": value.value, "low": value.low, "high": value.high}

    return {
        "system": comparison.system, "model": selection.model, "holdout": selection.holdout,
        "treatment": selection.treatment_label, "window": selection.window, "verdict": report.verdict,
        "segment_rows": {"(no segment)" if k is None else k: v for k, v in comparison.histograms.segments.items()},
        "detection": {"metric": comparison.primary.metric.name, "flagged": detection.flagged,
                      "first_flagged": at(detection.first_flagged), "start": at(detection.start),
                      "effect": estimate(detection.effect), "holdout_change": estimate(detection.holdout_change),
                      "holdout_stable": detection.holdout_stable, "usable_windows": detection.usable_windows},
        "holdout_health": {"current_mde": health.current_mde, "early_share": health.early_share,
                           "recent_share": health.recent_share, "contaminated_rows": health.contaminated_rows,
                           "first_contaminated": None if health.first_contaminated is None else
                           when(health.first_contaminated, selection.window),
                           "warnings": list(health.warnings)},
        "windows": _records(windows_frame(comparison, settings)),
        "cross_model": _records(report.cross_model),
        "lineage_loops": _records(report.lineage.findings[["kind", "severity", "file", "line", "message"]]),
        "findings": [{"kind": f.kind, "location": f.location, "severity": f.severity, "message": f.message,
                      "evidence": f.evidence} for f in report.findings],
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Records with ISO times and None for missing values (JSON has no NaN)."""
    out = frame.astype(object).where(frame.notna(), None)
    for column in frame.select_dtypes("datetime").columns:
        out[column] = [None if v is None else pd.Timestamp(v).isoformat() for v in out[column]]
    return out.to_dict(orient="records")
