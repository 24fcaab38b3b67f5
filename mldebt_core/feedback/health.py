"""Holdout health: is the holdout big enough, steady, and untouched by the models?

- share: holdout rows / compared rows, per window;
- minimum detectable effect (MDE): the smallest gap, held `mde_windows` windows, that a two-sided
  test at `confidence` finds with `mde_power`, from each window's standard error of the gap;
- warnings: an MDE on the label rate above the sample loop's size, a share that dropped, and
  holdout rows carrying a positive model action (contamination; positive as in the action limits).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile, without scipy.stats' import time

from mldebt_core.feedback.histograms import HOLDOUT, Histograms, Selection
from mldebt_core.feedback.intervals import z_value
from mldebt_core.feedback.metrics import MetricSeries
from mldebt_core.logs.table import LogSchema
from mldebt_core.logs.windows import ROW_START_SQL, window_params
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, DEFAULT_LIMIT_SETTINGS, FeedbackSettings, LimitSettings
from mldebt_core.store import Store


@dataclass(frozen=True)
class HoldoutHealth:
    current_mde: float | None
    """median MDE of the last `health_windows` windows that have one"""
    early_share: float
    recent_share: float
    contaminated_rows: int
    first_contaminated: np.datetime64 | None
    warnings: tuple[str, ...]


def holdout_share(histograms: Histograms) -> np.ndarray:
    rows = histograms.rows.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return rows[:, HOLDOUT] / rows.sum(axis=1)


def minimum_detectable_effect(series: MetricSeries, settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS):
    """Per window, in the metric's units; NaN where the gap has no standard error (a side without rows)."""
    factor = z_value(settings.confidence) + float(ndtri(settings.mde_power))
    known = np.isfinite(series.gap_se) & (np.nan_to_num(series.gap_se) > 0)
    return np.where(known, factor * series.gap_se / np.sqrt(settings.mde_windows), np.nan)


def contamination(store: Store, schema: LogSchema, selection: Selection,
                  limits: LimitSettings = DEFAULT_LIMIT_SETTINGS) -> pd.DataFrame:
    """(window_start, holdout_rows, positive_actions) of the holdout rows, per window."""
    table = schema.table  # generated name (logs.table); values are parameters
    model = "AND model = $model" if selection.model is not None else ""
    return store.query_df(
        f"""SELECT {ROW_START_SQL} AS window_start, count(*) AS holdout_rows,
                count(*) FILTER (WHERE list_contains($positives, lower(trim(action)))
                    OR TRY_CAST(action AS DOUBLE) <> 0) AS positive_actions
            FROM {table} WHERE segment = $holdout {model} GROUP BY ALL ORDER BY window_start""",
        {**window_params(selection.window), "holdout": selection.holdout,
         "positives": [p.lower() for p in limits.positive_actions],
         **({"model": selection.model} if selection.model is not None else {})})


def holdout_health(share: np.ndarray, mde: np.ndarray, series: MetricSeries, actions,
                   settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> HoldoutHealth:
    """The checks and their warnings; `actions` is the `contamination` frame."""
    n = settings.health_windows
    shares = share[np.isfinite(share)]
    early, recent = float(shares[:n].mean()), float(shares[-n:].mean())
    known = mde[np.isfinite(mde)]
    current = float(np.median(known[-n:])) if len(known) else None
    warnings = []
    metric = series.metric
    if not series.usable.any():
        rows = "labelled rows" if metric.needs_labels else "rows"
        warnings.append(f"no window has {settings.min_segment_rows} {rows} in both segments: the holdout is too "
                        f"small for this window size (try a longer window)")
    elif metric.is_rate and current is not None and current > settings.reference_effect:
        warnings.append(f"the holdout is too small to detect a loop the size of the sample's: its minimum "
                        f"detectable effect on the {metric.title} is {current * 100:.1f} points (held "
                        f"{settings.mde_windows} windows), above {settings.reference_effect * 100:.1f}")
    if recent < early * (1 - settings.max_share_drop):
        warnings.append(f"the holdout has shrunk: {recent:.1%} of rows in the last {n} windows against "
                        f"{early:.1%} in the first {n}")
    contaminated = int(actions["positive_actions"].sum())
    first = None
    if contaminated > settings.max_contamination * float(actions["holdout_rows"].sum()):
        first = actions.loc[actions["positive_actions"] > 0, "window_start"].min().to_datetime64()
        warnings.append(f"{contaminated:,} holdout rows ({contaminated / actions['holdout_rows'].sum():.2%}) carry a "
                        f"positive model action, the first in the window of {np.datetime_as_string(first, 'D')}: "
                        f"the holdout is contaminated")
    return HoldoutHealth(current, early, recent, contaminated, first, tuple(warnings))

