"""Confidence intervals on per-window aggregates: Wilson and Newcombe for rates, a bootstrap for means and AUC.

The bootstrap is the Gaussian-multiplier (wild) bootstrap: every row of a window gets a weight drawn
from N(1, 1) and the statistic is recomputed with those weights. Summed over a group of rows, such
weights are exactly normal, so a replicate needs only the group's count and sums, never the rows:

- a mean over N rows with sum S and sum of squares Q: the weighted sums (S + a, N + c), where (a, c) is
  bivariate normal with variances Q, N and covariance S;
- AUC from a histogram: each bin's positive and negative counts P, M become P + sqrt(P) z and
  M + sqrt(M) z' (independent draws, different rows), and the weighted U-statistic is recomputed.

Every array here is (..., window, side) or (..., window, side, bin); replicates come first.
"""

import numpy as np
from scipy.special import ndtri  # the normal quantile, without scipy.stats' import time


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level, e.g. 1.96 for 0.95."""
    return float(ndtri(0.5 + confidence / 2))


def wilson(positives: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of positives/n (NaN where n is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = positives / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(p1, low1, high1, p0, low0, high0) -> tuple[np.ndarray, np.ndarray]:
    """Interval of p1 - p0 from the two Wilson intervals (Newcombe 1998, method 10)."""
    gap = p1 - p0
    return (gap - np.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2),
            gap + np.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2))


def mean_replicates(n: np.ndarray, total: np.ndarray, squares: np.ndarray, rng: np.random.Generator,
                    resamples: int) -> np.ndarray:
    """Bootstrap replicates (resamples, *n.shape) of total/n, a mean over n rows with that sum of squares."""
    shape = (resamples, *n.shape)
    first, second = rng.standard_normal(shape), rng.standard_normal(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(squares)
        a = root * first
        slope = np.where(root > 0, total / root, 0.0)
        rest = np.sqrt(np.maximum(n - slope * slope, 0.0))
        return (total + a) / (n + slope * first + rest * second)


def auc(positives: np.ndarray, negatives: np.ndarray) -> np.ndarray:
    """Area under the ROC curve from per-bin counts (bins in prediction order, last axis).

    The share of (positive, negative) pairs where the positive scores higher, pairs in one bin counting
    one half; NaN where a side has no positive or no negative.
    """
    below = np.cumsum(negatives, axis=-1) - negatives
    wins = (positives * (below + 0.5 * negatives)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wins / (positives.sum(axis=-1) * negatives.sum(axis=-1))


def auc_replicates(positives: np.ndarray, negatives: np.ndarray, rng: np.random.Generator,
                   resamples: int) -> np.ndarray:
    """Bootstrap replicates (resamples, *positives.shape[:-1]) of `auc`, arrays being (window, side, bin).

    One set of draws per side and bin serves every window: each window's replicates are a bootstrap of
    its own, and no result combines replicates across windows; a draw per window would cost most of the
    analysis's time on a large log.
    """
    shape = (resamples, 1, *positives.shape[1:])
    noise = rng.standard_normal((2, *shape), dtype=np.float32)
    positives, negatives = positives.astype(np.float32), negatives.astype(np.float32)  # halves the memory traffic
    return auc(positives + np.sqrt(positives) * noise[0], negatives + np.sqrt(negatives) * noise[1]).astype(float)


def percentile_interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """The central `confidence` share of the replicates (first axis); NaN where any replicate is NaN."""
    tail = (1 - confidence) / 2
    low, high = np.quantile(replicates, [tail, 1 - tail], axis=0)
    return low, high
