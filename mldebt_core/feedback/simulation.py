"""Detection rates on simulated logs: how often the CUSUM cries wolf, and how often it finds the sample's loop.

A simulated log here is its per-day label counts, drawn straight from a `SimulationSpec` (binomial
draws: rows per day, the holdout share, the base label rate plus the loop's lift in the treatment),
without writing rows: thousands of logs take seconds. They go through the same `rate_series` and
`detect` as a stored log. bench/feedback_rates.py runs the full count; a test runs a few.
"""

from dataclasses import dataclass

import numpy as np

from mldebt_core.feedback.detection import Detection, detect
from mldebt_core.feedback.metrics import BUILT_IN, rate_series
from mldebt_core.logs.simulate import SimulationSpec
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings

TARGET_DAYS = 7
"""days; the issue's target: a loop counts as found when it is flagged within this many days of its first day"""


@dataclass(frozen=True)
class Rates:
    runs: int
    false_alarms: float
    """share of logs without a loop where a window was flagged"""
    found: float
    """share of logs with the loop flagged (not before it began) within TARGET_DAYS days of its first day"""
    start_estimated: float
    """share of logs with the loop flagged and its start estimated within TARGET_DAYS days of the true one"""
    median_delay: float
    """days from the loop's first day to the first flagged window, over the logs where it was flagged"""


def simulate_counts(spec: SimulationSpec, rng: np.random.Generator,
                    model: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(positives, labelled rows) per labelled day and side (holdout, treatment) of one simulated log."""
    days = spec.days - spec.label_delay_days
    share = 1.0 if model is None else dict(spec.models)[model]
    rows = rng.binomial(spec.rows_per_day, share, size=days)
    holdout = rng.binomial(rows, spec.holdout_share)
    labelled = np.stack([holdout, rows - holdout], axis=1)
    lift = np.array([spec.loop_lift(day) for day in range(days)])
    rate = np.stack([np.full(days, spec.base_label_rate), spec.base_label_rate + lift], axis=1)
    return rng.binomial(labelled, rate).astype(float), labelled.astype(float)


def simulated_detection(spec: SimulationSpec, rng: np.random.Generator, model: str | None = None,
                        settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> Detection:
    positives, labelled = simulate_counts(spec, rng, model)
    days = np.datetime64(spec.start) + np.arange(len(labelled)).astype("timedelta64[D]")
    return detect(rate_series(BUILT_IN["label_rate"], days, positives, labelled, settings), settings)


def detection_rates(spec: SimulationSpec, runs: int, seed: int, model: str | None = None,
                    settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> Rates:
    """`runs` logs of `spec.clean()` (no loop) and `runs` of `spec` (with its loop), all of `model`'s rows."""
    null_rng, loop_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    false_alarms = sum(simulated_detection(spec.clean(), null_rng, model, settings).flagged for _ in range(runs))
    start = spec.loop_start_day
    found = estimated = 0
    delays = []
    for _ in range(runs):
        detection = simulated_detection(spec, loop_rng, model, settings)
        if detection.flagged and detection.first_flagged >= start:
            delays.append(detection.first_flagged - start)
            found += delays[-1] <= TARGET_DAYS
            estimated += abs(detection.start - start) <= TARGET_DAYS
    return Rates(runs, false_alarms / runs, found / runs, estimated / runs,
                 float(np.median(delays)) if delays else float("nan"))
