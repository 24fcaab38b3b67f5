"""The deterministic simulator of the sample prediction log (`mldebt simulate-log`).

`SAMPLE_SPEC` documents the sample system's log: its seed, size and every planted episode. Tests
and the analyses' tests read the truth from here, never from copied numbers.

How a row is made (all draws from numpy `Generator`s seeded by `spec.seed`, so the same spec
gives the same bytes):
- a timestamp uniform over its day (UTC), a model by traffic share, a segment (holdout/treatment);
- the features from fixed distributions (`_FEATURE_DRAWS`; any other numeric name is standard
  normal, any other categorical name one of four values), rounded as a producer would log them;
- the prediction: a calibrated churn probability, sigmoid of a weighted sum of the standardised
  `score_weights` features plus a per-model intercept chosen so that the mean prediction is
  `base_label_rate`; each model version has its own weights (`model_weight_scale`);
- the label: 1 with probability prediction (so the model is calibrated), plus the feedback loop's
  lift in the treatment; NULL for the last `label_delay_days` days;
- the action: True (a retention offer) when a treatment row's prediction is at least
  `action_threshold`; holdout rows never get one.
The episode features (`drift`, `broken_producer`) feed no score, so every planted episode shows in
its own column only and the prediction's distribution stays stable. The episodes draw from their
own generator: `spec.clean()` gives the very same rows without them.
"""

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600


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
    score_weights: tuple[tuple[str, float], ...] = (("tenure_days", -0.8), ("logins_30d", -0.6),
                                                    ("discount_pct", 0.3), ("days_since_upgrade", 0.5))
    """(numeric feature, weight on its standardised value in the churn logit); the features the model uses"""
    model_weight_scale: tuple[float, ...] = (1.0, 1.25)
    """per model (in `models` order): factor on every score weight (the newer model separates more sharply)"""
    drift: tuple[DriftEpisode, ...] = (
        DriftEpisode("monthly_spend", 14, 20, "mean shifts up by 1.5 standard deviations"),
        DriftEpisode("plan", 28, 41, "a new category 'enterprise-plus' takes 30% of rows"),
    )
    drift_shift_sd: float = 1.5
    """standard deviations a numeric drift episode adds to its feature's mean"""
    new_category: str = "enterprise-plus"
    new_category_share: float = 0.3
    """share of rows a categorical drift episode gives to `new_category`"""
    broken_producer: str | None = "support_calls"
    null_spike_days: tuple[int, int] = (24, 26)
    """inclusive day range where half of the producer's values are null"""
    null_spike_share: float = 0.5
    producer_stops_day: int = 35
    """from this day on the producer delivers nothing (all null)"""
    action_breach: tuple[int, int, int] | None = (17, 9, 12)
    """(day, first hour, last hour inclusive, UTC): the share of positive actions of the treatment jumps to
    `breach_action_share`"""
    breach_action_share: float = 0.6
    action_limit_share: float = 0.35
    """the sample's action limit: share of positive actions per hour at most this"""
    loop_start_day: int | None = 24
    """from this day, the treatment segment's label rate climbs `loop_slope` per day up to `loop_max`
    above the holdout's (a feedback loop: the model's actions shape its own outcomes)"""
    loop_slope: float = 0.012
    """added to the treatment's label probability per day: `loop_slope` on `loop_start_day`, twice that the
    day after, … capped at `loop_max`"""
    loop_max: float = 0.08
    action_threshold: float = 0.5
    """a treatment row's action is positive when its prediction is at least this"""

    def clean(self) -> "SimulationSpec":
        """The same rows with no planted episode: no drift, no broken producer, no breach, no loop."""
        return replace(self, drift=(), broken_producer=None, action_breach=None, loop_start_day=None)

    def loop_lift(self, day: int) -> float:
        """How much the treatment's label probability exceeds the holdout's on `day` (0 before the loop)."""
        if self.loop_start_day is None or day < self.loop_start_day:
            return 0.0
        return min(self.loop_slope * (day - self.loop_start_day + 1), self.loop_max)

    @property
    def rows(self) -> int:
        return self.days * self.rows_per_day


SAMPLE_SPEC = SimulationSpec()

# name -> (draw(rng, n) -> values, rounding decimals); what the sample's producers deliver
_FEATURE_DRAWS = {
    "tenure_days": (lambda rng, n: rng.gamma(2.0, 300.0, n), 0),
    "monthly_spend": (lambda rng, n: np.maximum(rng.normal(60.0, 20.0, n), 0.0), 2),
    "support_calls": (lambda rng, n: rng.poisson(1.5, n).astype(float), 0),
    "logins_30d": (lambda rng, n: rng.poisson(12.0, n).astype(float), 0),
    "discount_pct": (lambda rng, n: rng.choice([0.0, 5.0, 10.0, 15.0, 20.0, 25.0], n,
                                               p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05]), 0),
    "days_since_upgrade": (lambda rng, n: rng.exponential(180.0, n), 0),
}
_CATEGORIES = {
    "plan": (("basic", "standard", "premium"), (0.5, 0.35, 0.15)),
    "region": (("north", "south", "east", "west"), (0.3, 0.3, 0.2, 0.2)),
}
_OTHER_DRAW = (lambda rng, n: rng.normal(0.0, 1.0, n), 3)
"""any other numeric feature: standard normal, 3 decimals"""
_OTHER_CATEGORIES = (("a", "b", "c", "d"), (0.4, 0.3, 0.2, 0.1))
_PREDICTION_DECIMALS = 4
_CALIBRATION_STEPS = 60


def simulate_columns(spec: SimulationSpec = SAMPLE_SPEC) -> dict[str, np.ndarray]:
    """The log as numpy arrays by column name: timestamp (datetime64[ms], UTC), model, segment, the
    features (float with NaN for null; categories as objects), prediction, label (float, NaN = not yet
    known), action (bool)."""
    base_rng, episode_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(spec.seed).spawn(2))
    n = spec.rows
    day = np.repeat(np.arange(spec.days), spec.rows_per_day)
    second = np.sort(base_rng.integers(0, SECONDS_PER_DAY, (spec.days, spec.rows_per_day)), axis=1).ravel()
    start = np.datetime64(spec.start, "s")
    timestamp = (start + (day * SECONDS_PER_DAY + second).astype("timedelta64[s]")).astype("datetime64[ms]")
    names = np.array([name for name, _ in spec.models], dtype=object)
    model_index = base_rng.choice(len(names), n, p=[share for _, share in spec.models])
    treatment = base_rng.random(n) >= spec.holdout_share
    segment = np.where(treatment, "treatment", "holdout").astype(object)

    columns: dict[str, np.ndarray] = {}
    for name in spec.numeric_features:
        draw, decimals = _FEATURE_DRAWS.get(name, _OTHER_DRAW)
        columns[name] = np.round(draw(base_rng, n), decimals)
    for name in spec.categorical_features:
        values, shares = _CATEGORIES.get(name, _OTHER_CATEGORIES)
        columns[name] = np.array(values, dtype=object)[base_rng.choice(len(values), n, p=shares)]
    label_draw = base_rng.random(n)

    _plant_drift(spec, columns, day, episode_rng)
    prediction = np.round(_predictions(spec, columns, model_index), _PREDICTION_DECIMALS)
    action = treatment & (prediction >= spec.action_threshold)
    _break_producer(spec, columns, day, episode_rng)
    if spec.action_breach is not None:
        breach_day, first_hour, last_hour = spec.action_breach
        hour = second // SECONDS_PER_HOUR
        in_breach = treatment & (day == breach_day) & (hour >= first_hour) & (hour <= last_hour)
        if in_breach.any():  # the serving threshold was mis-set: the top `breach_action_share` got an offer
            cut = np.quantile(prediction[in_breach], 1.0 - spec.breach_action_share)
            action = np.where(in_breach, prediction >= cut, action)

    lift = np.array([spec.loop_lift(d) for d in range(spec.days)])[day] * treatment
    label = (label_draw < prediction + lift).astype(float)
    label[day >= spec.days - spec.label_delay_days] = np.nan
    return {"timestamp": timestamp, "model": names[model_index], "segment": segment, **columns,
            "prediction": prediction, "label": label, "action": action}


def simulate_log(spec: SimulationSpec, path: str | Path) -> Path:
    """Write the simulated log as Parquet (timestamps with time zone UTC, label and action booleans)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = simulate_columns(spec)
    arrays = {"timestamp": pa.array(data["timestamp"], pa.timestamp("ms", tz="UTC")),
              "model": pa.array(data["model"], pa.string()), "segment": pa.array(data["segment"], pa.string())}
    for name in spec.numeric_features:
        whole = _FEATURE_DRAWS.get(name, _OTHER_DRAW)[1] == 0
        arrays[name] = pa.array(data[name], pa.int32() if whole else pa.float64(), from_pandas=True)
    for name in spec.categorical_features:
        arrays[name] = pa.array(data[name], pa.string())
    arrays["prediction"] = pa.array(data["prediction"], pa.float64())
    label = data["label"]
    arrays["label"] = pa.array(label == 1.0, pa.bool_(), mask=np.isnan(label))
    arrays["action"] = pa.array(data["action"], pa.bool_())
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")  # renamed when complete: never a half-written log
    pq.write_table(pa.table(arrays), partial, compression="zstd", row_group_size=spec.rows_per_day * 7)
    partial.replace(path)
    return path


def _predictions(spec: SimulationSpec, columns: dict[str, np.ndarray], model_index: np.ndarray) -> np.ndarray:
    """Calibrated churn probabilities: per model, sigmoid(intercept + weighted standardised features)."""
    prediction = np.empty(len(model_index))
    for index, scale in enumerate(spec.model_weight_scale[:len(spec.models)]):
        rows = model_index == index
        logit = sum(scale * weight * _standardised(columns[name][rows]) for name, weight in spec.score_weights)
        prediction[rows] = _sigmoid(_intercept(np.asarray(logit, dtype=float), spec.base_label_rate) + logit)
    return prediction


def _intercept(logit: np.ndarray, rate: float) -> float:
    """The intercept that makes the mean of sigmoid(intercept + logit) equal `rate` (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(_CALIBRATION_STEPS):
        middle = (low + high) / 2
        low, high = (middle, high) if _sigmoid(middle + logit).mean() < rate else (low, middle)
    return (low + high) / 2


def _plant_drift(spec: SimulationSpec, columns: dict[str, np.ndarray], day: np.ndarray, rng) -> None:
    for episode in spec.drift:
        rows = (day >= episode.first_day) & (day <= episode.last_day)
        values = columns[episode.feature]
        if episode.feature in spec.numeric_features:
            decimals = _FEATURE_DRAWS.get(episode.feature, _OTHER_DRAW)[1]
            values[rows] = np.round(values[rows] + spec.drift_shift_sd * np.nanstd(values), decimals)
        else:
            values[rows & (rng.random(len(day)) < spec.new_category_share)] = spec.new_category


def _break_producer(spec: SimulationSpec, columns: dict[str, np.ndarray], day: np.ndarray, rng) -> None:
    if spec.broken_producer is None:
        return
    first, last = spec.null_spike_days
    spike = (day >= first) & (day <= last) & (rng.random(len(day)) < spec.null_spike_share)
    columns[spec.broken_producer][spike | (day >= spec.producer_stops_day)] = np.nan


def _standardised(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

