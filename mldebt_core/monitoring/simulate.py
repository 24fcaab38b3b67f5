"""The deterministic simulator of the sample prediction log (`mldebt simulate-log`).

`SAMPLE_SPEC` documents the sample system's log: its seed, size and every planted episode. Tests
and the feedback-loop analysis read the truth from here, never from copied numbers.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DriftEpisode:
    feature: str
    first_day: int
    """day index (0 = `start`) of the first drifted day"""
    last_day: int
    """inclusive"""
    what: str
    """plain words: what changes, e.g. 'mean shifts by +1.5 standard deviations'"""


@dataclass(frozen=True)
class SimulationSpec:
    seed: int = 20260301
    start: date = date(2026, 3, 1)
    days: int = 42
    rows_per_day: int = 6000
    models: tuple[tuple[str, float], ...] = (("churn-v1", 0.4), ("churn-v2", 0.6))
    """(model, share of traffic); both serve at the same time, so one log holds several models"""
    holdout_share: float = 0.05
    """share of rows in segment 'holdout' (no model action); the rest is 'treatment'"""
    base_label_rate: float = 0.2
    label_delay_days: int = 2
    """the last this many days have no labels yet (labels arrive late)"""
    numeric_features: tuple[str, ...] = ("tenure_days", "monthly_spend", "support_calls", "logins_30d",
                                         "discount_pct", "days_since_upgrade")
    categorical_features: tuple[str, ...] = ("plan", "region")
    drift: tuple[DriftEpisode, ...] = (
        DriftEpisode("monthly_spend", 14, 20, "mean shifts up by 1.5 standard deviations"),
        DriftEpisode("plan", 28, 41, "a new category 'enterprise-plus' takes 30% of rows"),
    )
    broken_producer: str = "support_calls"
    null_spike_days: tuple[int, int] = (24, 26)
    """inclusive day range where half of the producer's values are null"""
    producer_stops_day: int = 35
    """from this day on the producer delivers nothing (all null)"""
    action_breach: tuple[int, int, int] = (17, 9, 12)
    """(day, first hour, last hour inclusive, UTC): the share of positive actions of the treatment jumps to
    `breach_action_share`"""
    breach_action_share: float = 0.6
    action_limit_share: float = 0.35
    """the sample's action limit: share of positive actions per hour at most this"""
    loop_start_day: int = 24
    """from this day, the treatment segment's label rate climbs `loop_slope` per day up to `loop_max`
    above the holdout's (a feedback loop: the model's actions shape its own outcomes)"""
    loop_slope: float = 0.008
    loop_max: float = 0.08
    action_threshold: float = 0.5
    """a treatment row's action is positive when its prediction is at least this"""
    extra: dict = field(default_factory=dict)


SAMPLE_SPEC = SimulationSpec()
