"""Intervals of the feedback comparison: coverage checked by simulation, values on hand-checked histograms."""

import numpy as np
import pytest
from scipy.stats import norm

from mldebt_core.feedback.intervals import (
    auc,
    auc_replicates,
    mean_replicates,
    newcombe,
    percentile_interval,
    wilson,
    z_value,
)

Z = z_value(0.95)
DRAWS = 1000


def covered(low, high, truth) -> float:
    return float(((low <= truth) & (truth <= high)).mean())


def test_wilson_intervals_cover_the_true_rate_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    for n, rate in ((200, 0.2), (50, 0.05), (1000, 0.5)):
        low, high = wilson(rng.binomial(n, rate, DRAWS), np.full(DRAWS, float(n)), Z)
        assert 0.93 <= covered(low, high, rate) <= 0.97, (n, rate)


def test_wilson_by_hand_and_for_empty_windows():
    low, high = wilson(np.array([0.0, 10.0, 3.0]), np.array([0.0, 10.0, 10.0]), Z)
    assert np.isnan(low[0]) and np.isnan(high[0])  # no rows, no interval
    assert high[1] == pytest.approx(1.0) and low[1] == pytest.approx(0.7225, abs=1e-4)  # all positive: stays in [0, 1]
    assert (low[2], high[2]) == pytest.approx((0.1078, 0.6032), abs=1e-4)  # the textbook 3 of 10


def test_newcombe_gap_intervals_cover_the_true_difference():
    rng = np.random.default_rng(2)
    treated, held = rng.binomial(3000, 0.25, DRAWS), rng.binomial(300, 0.2, DRAWS)
    low1, high1 = wilson(treated, 3000.0, Z)
    low0, high0 = wilson(held, 300.0, Z)
    low, high = newcombe(treated / 3000, low1, high1, held / 300, low0, high0)
    assert 0.93 <= covered(low, high, 0.05) <= 0.97


def test_the_mean_bootstrap_covers_a_skewed_mean_and_is_fixed_by_its_seed():
    values = np.random.default_rng(3).exponential(2.0, (DRAWS, 100))
    sums = (np.full(DRAWS, 100.0), values.sum(axis=1), (values * values).sum(axis=1))
    low, high = percentile_interval(mean_replicates(*sums, np.random.default_rng(4), 200), 0.95)
    assert 0.92 <= covered(low, high, 2.0) <= 0.97
    again = percentile_interval(mean_replicates(*sums, np.random.default_rng(4), 200), 0.95)
    assert np.array_equal(low, again[0]) and np.array_equal(high, again[1])


def test_auc_from_a_histogram_by_hand():
    # bins in score order; positives in bins 2 and 3, negatives in bins 0 and 2 (one tie bin)
    positives, negatives = np.array([0.0, 0, 1, 1]), np.array([1.0, 0, 1, 0])
    # pairs: (p2, n0) win, (p2, n2) tie, (p3, n0) win, (p3, n2) win -> 3.5 / 4
    assert auc(positives, negatives) == pytest.approx(0.875)
    assert np.isnan(auc(positives, np.zeros(4)))


def test_the_auc_bootstrap_covers_the_true_auc():
    rng = np.random.default_rng(5)
    shift, windows = 0.8, 400
    truth = norm.cdf(shift / np.sqrt(2))  # AUC of N(shift, 1) against N(0, 1)
    edges = np.linspace(-4, 5, 33)

    def counts(mean):
        return np.stack([np.histogram(np.clip(rng.normal(mean, 1, 300), -4, 5), edges)[0]
                         for _ in range(windows)]).astype(float)[:, None, :]

    positives, negatives = counts(shift), counts(0.0)
    assert auc(positives, negatives).mean() == pytest.approx(truth, abs=0.005)  # 32 bins lose almost nothing
    low, high = percentile_interval(auc_replicates(positives, negatives, rng, 200), 0.95)
    # percentile intervals of AUC run a little narrow at 300 rows per class (about 93% over many seeds), and one
    # set of draws serves all 400 windows here, so a single seed's share scatters more than independent draws'
    assert 0.90 <= covered(low, high, truth) <= 0.98
