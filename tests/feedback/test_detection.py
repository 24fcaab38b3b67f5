"""The CUSUM on the standardised treatment - holdout gap: by hand, on built series, and its rates on simulations."""

import numpy as np
import pytest

from mldebt_core.feedback.detection import cusum, detect, estimated_start, first_alarm
from mldebt_core.feedback.metrics import BUILT_IN, rate_series
from mldebt_core.feedback.simulation import TARGET_DAYS, detection_rates, simulated_detection
from mldebt_core.logs.simulate import SAMPLE_SPEC

DAYS = np.datetime64("2026-03-01") + np.arange(40).astype("timedelta64[D]")


def test_cusum_by_hand():
    z = np.array([0.0, 2.0, 2.0, np.nan, -1.0, 3.0])
    up, down = cusum(z, allowance=0.5)
    assert up.tolist() == [0.0, 1.5, 3.0, 3.0, 1.5, 4.0]  # the skipped window carries the sum over
    assert down.tolist() == [0.0, 0.0, 0.0, 0.0, 0.5, 0.0]
    assert first_alarm(up, down, 3.5) == 5 and first_alarm(up, down, 2.9) == 2 and first_alarm(up, down, 9) == -1
    usable = np.isfinite(z)
    assert estimated_start(up, 5, usable) == 1  # after the last zero (window 0)


def rates(holdout: list[float], treatment: list[float], holdout_rows=300, treatment_rows=5700):
    """A label-rate series with exactly these daily rates (counts rounded)."""
    n = np.array([[holdout_rows, treatment_rows]] * len(holdout), dtype=float)
    positives = np.round(np.stack([holdout, treatment], axis=1) * n)
    return rate_series(BUILT_IN["label_rate"], DAYS[:len(holdout)], positives, n)


def test_equal_rates_raise_no_alarm():
    detection = detect(rates([0.2] * 40, [0.2] * 40))
    assert not detection.flagged and detection.direction == 0
    assert detection.effect.value == pytest.approx(0.0)
    assert detection.usable_windows == 40


def test_a_treatment_step_is_flagged_with_its_start_effect_and_a_stable_holdout():
    detection = detect(rates([0.2] * 40, [0.2] * 20 + [0.28] * 20))
    assert detection.flagged and detection.direction == 1
    assert detection.start == 20 and 20 <= detection.first_flagged <= 22
    assert detection.effect.value == pytest.approx(0.08, abs=0.002)
    assert detection.effect.low < 0.08 < detection.effect.high
    assert detection.holdout_stable is True


def test_a_falling_holdout_opens_the_gap_too_and_is_called_unstable():
    detection = detect(rates([0.2] * 20 + [0.12] * 20, [0.2] * 40))
    assert detection.flagged and detection.direction == 1  # treatment above holdout
    assert detection.holdout_stable is False
    assert detection.holdout_change.value == pytest.approx(-0.08, abs=0.002)


def test_windows_with_too_few_rows_are_skipped():
    series = rates([0.2] * 40, [0.2] * 20 + [0.4] * 20, holdout_rows=10)  # below min_segment_rows everywhere
    detection = detect(series)
    assert not series.usable.any() and detection.usable_windows == 0
    assert not detection.flagged and detection.effect is None


def test_the_sample_loop_in_one_simulated_log():
    detection = simulated_detection(SAMPLE_SPEC, np.random.default_rng(8))
    assert detection.flagged and detection.direction == 1
    assert abs(detection.start - SAMPLE_SPEC.loop_start_day) <= TARGET_DAYS


def test_rates_on_simulations_meet_the_targets():
    """A few dozen simulations per case (the full count is bench/feedback_rates.py's)."""
    found = detection_rates(SAMPLE_SPEC, runs=60, seed=20261127)
    assert found.false_alarms <= 0.05
    assert found.found >= 0.9
    assert 0 <= found.median_delay <= 2 * TARGET_DAYS
