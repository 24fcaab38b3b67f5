"""Hidden loops across models: does one model's metric change go with another's, and how much later?

The paper's question "how does improving one model degrade others?". For each pair of models in a
log, the per-window changes (first differences) of the metric on each model's treatment rows are
correlated at every lag up to `cross_model_max_lag` windows either way; the strongest lag is
reported. A lag of +2 means the second model's change follows the first's two windows later.
Differenced series are autocorrelated, so the test uses Bartlett's variance of a cross-correlation
(1/n times the sum of the products of the two autocorrelations) and Bonferroni over the lags tried.
"""

from itertools import combinations

import numpy as np
import pandas as pd
from scipy.special import ndtr  # the normal CDF, without scipy.stats' import time

from mldebt_core.feedback.histograms import TREATMENT, Histograms
from mldebt_core.feedback.metrics import Metric, values
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings

COLUMNS = ["model", "other_model", "lag", "correlation", "windows", "p_value", "hidden_loop"]


def cross_model(by_model: dict[str, Histograms], metric: Metric,
                settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> pd.DataFrame:
    """One row per pair of models (see COLUMNS), strongest correlation first; empty with fewer than two models."""
    changes = {}
    for model, histograms in by_model.items():
        value, support = values(metric, histograms)
        level = np.where(support[:, TREATMENT] >= settings.min_segment_rows, value[:, TREATMENT], np.nan)
        changes[model] = np.diff(level)
    rows = [_strongest(a, b, changes[a], changes[b], settings) for a, b in combinations(sorted(changes), 2)]
    rows = [row for row in rows if row is not None]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("correlation", key=abs, ascending=False, ignore_index=True)


def _strongest(a: str, b: str, x: np.ndarray, y: np.ndarray, settings: FeedbackSettings) -> list | None:
    max_lag = min(settings.cross_model_max_lag, len(x) - 1)  # a short series (weeks) has fewer lags to try
    lags = range(-max_lag, max_lag + 1)
    best = None
    for lag in lags:
        first, second = (x[:len(x) - lag], y[lag:]) if lag >= 0 else (x[-lag:], y[:len(y) + lag])
        both = np.isfinite(first) & np.isfinite(second)
        n = int(both.sum())
        if n < settings.cross_model_min_windows or first[both].std() == 0 or second[both].std() == 0:
            continue
        r = float(np.corrcoef(first[both], second[both])[0, 1])
        if best is None or abs(r) > abs(best[3]):
            best = [a, b, lag, r, n]
    if best is None:
        return None
    variance = (1 + 2 * float(np.dot(_autocorrelation(x, max_lag), _autocorrelation(y, max_lag)))) / best[4]
    p_value = float(2 * ndtr(-abs(best[3]) / np.sqrt(max(variance, 1 / best[4]))))
    alpha = (1 - settings.confidence) / len(lags)
    return [*best, p_value, bool(p_value < alpha and abs(best[3]) >= settings.cross_model_min_correlation)]


def _autocorrelation(series: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations at lags 1..max_lag over the finite values (0 where too few pairs)."""
    centred = series - np.nanmean(series)
    scale = np.nansum(centred * centred)
    result = np.zeros(max_lag)
    if scale == 0:
        return result
    for lag in range(1, max_lag + 1):
        result[lag - 1] = np.nansum(centred[:-lag] * centred[lag:]) / scale if lag < len(series) else 0.0
    return result
