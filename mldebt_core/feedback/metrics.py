"""The outcome metrics a holdout comparison covers, each per window and side with its interval and the gap.

- `label_rate`: share of labelled rows whose label is 1; Wilson intervals, Newcombe for the gap.
- `mean_prediction`: mean prediction over all rows; bootstrap.
- `calibration_gap`: mean prediction minus label rate, over labelled rows; bootstrap.
- `auc`: area under the ROC curve of the labelled rows, from the prediction histogram; bootstrap.
- any numeric column of the log, by its name: its mean over the rows where it is set; bootstrap.

Predictions enter means through their bins: a bin's rows are taken at the bin's mean, spread uniformly
over its width (the variance term), which is exact for sums and close for variances.
"""

import zlib
from dataclasses import dataclass

import numpy as np

from mldebt_core.feedback.histograms import HOLDOUT, TREATMENT, FeedbackError, Histograms
from mldebt_core.feedback.intervals import (
    auc,
    auc_replicates,
    mean_replicates,
    newcombe,
    percentile_interval,
    wilson,
    z_value,
)
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    needs_labels: bool = False
    is_rate: bool = False
    """a share (0-1): gaps are told in percentage points"""


BUILT_IN: dict[str, Metric] = {m.name: m for m in (
    Metric("label_rate", "label rate", "share of labelled rows with label 1 (0-1)", needs_labels=True, is_rate=True),
    Metric("mean_prediction", "mean prediction", "prediction units"),
    Metric("calibration_gap", "calibration gap", "mean prediction minus label rate over labelled rows",
           needs_labels=True),
    Metric("auc", "AUC", "area under the ROC curve of labelled rows (0-1)", needs_labels=True),
)}


def metric_named(name: str, columns: tuple[str, ...]) -> Metric:
    """A built-in metric, or the mean of a numeric column the selection carries."""
    if name in BUILT_IN:
        return BUILT_IN[name]
    if name in columns:
        return Metric(name, f"mean {name}", f"{name} units")
    raise FeedbackError(f"metric {name!r}: expected one of {', '.join(BUILT_IN)} or a numeric column of the log")


@dataclass(frozen=True)
class MetricSeries:
    """One metric per window: each side's value with its interval and standard error, and the gap.

    Arrays are (window, side) for the sides (HOLDOUT, TREATMENT) and (window,) for the gap
    (treatment minus holdout). NaN where a side has no rows to compute the value from.
    """

    metric: Metric
    windows: np.ndarray
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    se: np.ndarray
    support: np.ndarray
    """rows the value is over (labelled rows for label metrics)"""
    gap: np.ndarray
    gap_low: np.ndarray
    gap_high: np.ndarray
    gap_se: np.ndarray
    """the gap's standard error under no difference: what detection standardises by"""
    usable: np.ndarray
    """enough rows on both sides (settings.min_segment_rows) and a positive standard error"""


def values(metric: Metric, histograms: Histograms) -> tuple[np.ndarray, np.ndarray]:
    """(value, support) per window and side, without intervals."""
    if metric.name == "auc":
        positives, negatives = _label_bins(histograms)
        return auc(positives, negatives), histograms.labelled.sum(axis=2)
    if metric.name == "label_rate":
        n = histograms.labelled.sum(axis=2)
        return _ratio(histograms.positives.sum(axis=2), n), n
    n, total, _ = _mean_sums(metric, histograms)
    return _ratio(total, n), n


def series(metric: Metric, histograms: Histograms,
           settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> MetricSeries:
    """The metric per window with intervals; bootstrap draws come from a generator seeded by the metric's name."""
    if metric.name == "label_rate":
        return rate_series(metric, histograms.windows, histograms.positives.sum(axis=2),
                           histograms.labelled.sum(axis=2), settings)
    rng = np.random.default_rng([settings.bootstrap_seed, zlib.crc32(metric.name.encode())])
    value, support = values(metric, histograms)
    enough = support >= settings.min_segment_rows
    if metric.name == "auc":
        replicates = auc_replicates(*_label_bins(histograms), rng, settings.bootstrap_resamples)
    else:
        replicates = mean_replicates(*_mean_sums(metric, histograms), rng, settings.bootstrap_resamples)
    replicates = np.where(enough, replicates, np.nan)  # a handful of rows gives no honest interval
    low, high = percentile_interval(replicates, settings.confidence)
    gaps = replicates[..., TREATMENT] - replicates[..., HOLDOUT]
    gap_low, gap_high = percentile_interval(gaps, settings.confidence)
    return _assemble(metric, histograms.windows, value, low, high, replicates.std(axis=0), support, gap_low,
                     gap_high, gaps.std(axis=0), settings)


def rate_series(metric: Metric, windows: np.ndarray, positives: np.ndarray, n: np.ndarray,
                settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> MetricSeries:
    """A rate per window and side (positives of n) with Wilson intervals and Newcombe's for the gap."""
    z = z_value(settings.confidence)
    value = _ratio(positives, n)
    low, high = wilson(positives, n, z)
    gap_low, gap_high = newcombe(value[..., TREATMENT], low[..., TREATMENT], high[..., TREATMENT],
                                 value[..., HOLDOUT], low[..., HOLDOUT], high[..., HOLDOUT])
    pooled = _ratio(positives.sum(axis=-1), n.sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(value * (1 - value) / n)
        gap_se = np.sqrt(pooled * (1 - pooled) * (1 / n[..., HOLDOUT] + 1 / n[..., TREATMENT]))
    return _assemble(metric, windows, value, low, high, se, n, gap_low, gap_high, gap_se, settings)


def _assemble(metric, windows, value, low, high, se, support, gap_low, gap_high, gap_se,
              settings: FeedbackSettings) -> MetricSeries:
    gap = value[..., TREATMENT] - value[..., HOLDOUT]
    usable = ((support >= settings.min_segment_rows).all(axis=-1) & np.isfinite(gap) & np.isfinite(gap_se)
              & (np.nan_to_num(gap_se) > 0))
    return MetricSeries(metric, windows, value, low, high, se, support, gap, gap_low, gap_high, gap_se, usable)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _label_bins(histograms: Histograms) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative labelled rows per bin, without the last bin (rows with no bin number)."""
    positives = histograms.positives[..., :-1]
    return positives, histograms.labelled[..., :-1] - positives


def _mean_sums(metric: Metric, histograms: Histograms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, sum, sum of squares) per window and side of the values a mean metric averages."""
    if metric.name not in BUILT_IN:
        sums = histograms.columns[metric.name]
        return sums[..., 0], sums[..., 1], sums[..., 2]
    rows, total = histograms.rows, histograms.prediction_sum
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows > 0, total / rows, 0.0)
    spread = histograms.bin_width ** 2 / 12  # variance of a uniform spread over one bin
    if metric.name == "mean_prediction":
        return rows.sum(axis=2), total.sum(axis=2), (rows * (mean * mean + spread)).sum(axis=2)
    # calibration_gap: the values are prediction - label over labelled rows (label^2 = label)
    labelled, positives = histograms.labelled, histograms.positives
    return (labelled.sum(axis=2), (labelled * mean - positives).sum(axis=2),
            (labelled * (mean * mean + spread) - 2 * positives * mean + positives).sum(axis=2))
