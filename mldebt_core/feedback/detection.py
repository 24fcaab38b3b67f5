"""When the treatment - holdout gap opens: a two-sided CUSUM on the standardised gap.

With no feedback loop the holdout and the treatment are random splits of the same traffic, so each
window's gap is zero up to noise and z = gap / standard error is standard normal. The CUSUM adds up
z - k (the gap growing) and -z - k (shrinking), never going below zero; the first window where either
sum passes h is flagged. The estimated start is the window after that sum last stood at zero; the
effect is the gap over the last `effect_windows` windows from the start. Windows with too few rows on
either side are skipped (the sums carry over). k and h are settings tuned on simulations of the
sample's loop (bench/feedback_rates.py): at most 5% false alarms, at least 90% of loops found.
"""

from dataclasses import dataclass

import numpy as np

from mldebt_core.feedback.histograms import HOLDOUT
from mldebt_core.feedback.intervals import z_value
from mldebt_core.feedback.metrics import MetricSeries
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Detection:
    first_flagged: int | None
    """index of the first flagged window; None: no loop detected"""
    start: int | None
    """index of the window the gap is estimated to have opened in"""
    direction: int
    """+1: treatment above holdout, -1: below, 0: not flagged"""
    effect: Estimate | None
    """the gap over the last `effect_windows` usable windows (since the start, when flagged); None: none usable"""
    holdout_change: Estimate | None
    """the holdout's own change from before the start to after it"""
    holdout_stable: bool | None
    """the holdout's change is within its noise (None: nothing before the start to compare with)"""
    z: np.ndarray
    """standardised gap per window (NaN: skipped)"""
    up: np.ndarray
    """CUSUM of the gap growing, per window"""
    down: np.ndarray
    """CUSUM of the gap shrinking, per window"""
    usable_windows: int

    @property
    def flagged(self) -> bool:
        return self.first_flagged is not None


def cusum(z: np.ndarray, allowance: float) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower CUSUM paths along the last axis (any leading axes: one series each); NaN skips a window."""
    up, down = np.zeros_like(z), np.zeros_like(z)
    high, low = np.zeros(z.shape[:-1]), np.zeros(z.shape[:-1])
    for t in range(z.shape[-1]):  # windows, not rows: a few dozen to a few thousand steps
        step = z[..., t]
        seen = np.isfinite(step)
        high = np.where(seen, np.maximum(0.0, high + step - allowance), high)
        low = np.where(seen, np.maximum(0.0, low - step - allowance), low)
        up[..., t], down[..., t] = high, low
    return up, down


def first_alarm(up: np.ndarray, down: np.ndarray, threshold: float) -> np.ndarray:
    """Index of the first window where either path passes the threshold, -1 where none does (last axis)."""
    over = (up > threshold) | (down > threshold)
    return np.where(over.any(axis=-1), over.argmax(axis=-1), -1)


def estimated_start(path: np.ndarray, alarm: int, usable: np.ndarray) -> int:
    """The first usable window after the path last stood at zero before the alarm."""
    zeros = np.flatnonzero((path[:alarm] == 0) & usable[:alarm])
    after = np.flatnonzero(usable[(zeros[-1] + 1 if len(zeros) else 0):alarm + 1])
    return int(after[0] + (zeros[-1] + 1 if len(zeros) else 0))


def detect(series: MetricSeries, settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> Detection:
    usable = series.usable
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(usable, series.gap / series.gap_se, np.nan)
    up, down = cusum(z, settings.cusum_allowance)
    alarm = int(first_alarm(up, down, settings.cusum_threshold))
    z_level = z_value(settings.confidence)
    order = np.arange(len(usable))
    if alarm < 0:
        recent = np.flatnonzero(usable)[-settings.effect_windows:]
        effect = _pooled(series.gap[recent], series.gap_se[recent], z_level) if len(recent) else None
        return Detection(None, None, 0, effect, None, None, z, up, down, int(usable.sum()))
    direction = 1 if up[alarm] > settings.cusum_threshold else -1
    start = estimated_start(up if direction > 0 else down, alarm, usable)
    since, before = np.flatnonzero(usable & (order >= start)), np.flatnonzero(usable & (order < start))
    recent = since[-settings.effect_windows:]
    effect = _pooled(series.gap[recent], series.gap_se[recent], z_level)
    change, stable = None, None
    if len(before):
        early = _pooled(series.value[before, HOLDOUT], series.se[before, HOLDOUT], z_level)
        late = _pooled(series.value[since, HOLDOUT], series.se[since, HOLDOUT], z_level)
        spread = np.hypot(early.high - early.value, late.high - late.value)
        shift = late.value - early.value
        change = Estimate(shift, shift - spread, shift + spread)
        stable = bool(change.low <= 0 <= change.high)
    return Detection(alarm, start, direction, effect, change, stable, z, up, down, int(usable.sum()))


def _pooled(values: np.ndarray, se: np.ndarray, z_level: float) -> Estimate:
    """Inverse-variance weighted mean of per-window values, with its normal interval."""
    weights = 1.0 / np.maximum(se, np.finfo(float).eps) ** 2  # a zero rate's se is 0
    mean = float((weights * values).sum() / weights.sum())
    half = float(z_level / np.sqrt(weights.sum()))
    return Estimate(mean, mean - half, mean + half)
