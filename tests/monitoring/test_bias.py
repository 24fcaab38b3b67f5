"""Prediction bias per window, quantile bands and calibration, on hand-checked logs and the simulated sample."""

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

from mldebt_core.logs.errors import NoLogError, WindowError
from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.sample import read_log
from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log
from mldebt_core.logs.table import create_log_table, load_log_schema, require_log
from mldebt_core.monitoring.bias import band_name, calibration
from mldebt_core.monitoring.findings import bias_findings as alert_findings
from mldebt_core.settings import DEFAULT_BIAS_SETTINGS, DEFAULT_DRIFT_SETTINGS
from mldebt_core.store import Store
from tests.monitoring.helpers import bias

DAY0 = datetime(2026, 3, 2)
FEW = replace(DEFAULT_BIAS_SETTINGS, min_labelled_rows=2)


def labelled_store(rows: list[tuple]) -> Store:
    """A store whose system 'churn' has a log of (ts, model, prediction, label) rows."""
    store = Store(":memory:")
    with store.transaction() as cursor:
        schema = create_log_table(cursor, "churn", [])
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction, label) "
                           "VALUES (1, ?, ?, ?, ?)", rows)
    return store


def at(day: int, hour: int = 0) -> datetime:
    return DAY0 + timedelta(days=day, hours=hour)


@pytest.fixture
def store():
    return labelled_store([
        (at(0, 1), "a", 0.2, 0.0), (at(0, 2), "a", 0.4, 1.0), (at(0, 3), "b", 0.6, None),  # labelled: 0.3 vs 0.5
        (at(1, 1), "a", 0.9, 1.0), (at(1, 2), "a", 0.7, 1.0), (at(1, 3), "a", 0.8, 1.0),  # 0.8 vs 1.0
        (at(2, 5), "b", 0.5, None),  # no label yet
    ])


def test_bias_compares_mean_prediction_and_label_rate_over_labelled_rows(store):
    frame = bias(store, "churn", settings=FEW).set_index(pd.Series([0, 1, 2]))
    assert list(frame["rows"]) == [3, 3, 1] and list(frame["labelled"]) == [2, 3, 0]
    assert frame.loc[0, "mean_prediction"] == pytest.approx(0.4)  # every row
    assert frame.loc[0, "mean_prediction_labelled"] == pytest.approx(0.3)
    assert frame.loc[0, "label_mean"] == pytest.approx(0.5) and frame.loc[0, "bias"] == pytest.approx(-0.2)
    assert frame.loc[1, "bias"] == pytest.approx(-0.2) and np.isnan(frame.loc[2, "bias"])
    assert list(frame["flagged"]) == [True, True, False]
    assert set(frame["task"]) == {"classification"} and set(frame["window"]) == {"day"}
    few = bias(store, "churn")  # default: at least 100 labelled rows before a window is judged
    assert not few["flagged"].any()
    only_b = bias(store, "churn", model="b")
    assert list(only_b["rows"]) == [1, 1] and list(only_b["labelled"]) == [0, 0]


def test_quantile_bands_are_linear_quantiles_of_the_prediction_per_window():
    rng = np.random.default_rng(2)
    predictions = rng.random((3, 50))
    store = labelled_store([(at(d, 0) + timedelta(minutes=k), "m", float(p), None)
                            for d in range(3) for k, p in enumerate(predictions[d])])
    frame = bias(store, "churn")
    for d in range(3):
        for q in DEFAULT_BIAS_SETTINGS.quantiles:
            assert frame.loc[d, band_name(q)] == pytest.approx(np.quantile(predictions[d], q), abs=1e-12)
    assert band_name(0.05) == "p05" and band_name(0.5) == "p50"
    weekly = bias(store, "churn", window="week")
    assert len(weekly) == 1 and weekly["rows"].item() == 150


def test_regression_logs_flag_bias_relative_to_the_mean_label():
    rows = [(at(0, h), "m", 100.0 + h, 100.0) for h in range(10)]  # +4.5 on a mean of 100: 4.5%
    rows += [(at(1, h), "m", 120.0, 100.0) for h in range(10)]  # +20%
    frame = bias(labelled_store(rows), "churn", settings=FEW)
    assert set(frame["task"]) == {"regression"}
    assert list(frame["bias"]) == pytest.approx([4.5, 20.0]) and list(frame["flagged"]) == [False, True]


def test_calibration_per_decile_agrees_with_scikit_learn():
    rng = np.random.default_rng(4)
    predictions = rng.random(997)
    labels = (rng.random(997) < predictions ** 1.5).astype(float)
    rows = [(at(0) + timedelta(seconds=i), "m", float(p), float(y))
            for i, (p, y) in enumerate(zip(predictions, labels))]
    rows += [(at(1), "m", 0.99, None)]  # unlabelled rows do not count
    logged = labelled_store(rows)
    table = calibration(logged, require_log(logged, "churn"))
    observed, predicted = calibration_curve(labels, predictions, n_bins=10, strategy="quantile")
    assert list(table["bin"]) == list(range(10)) and table["rows"].sum() == 997
    assert np.allclose(table["label_mean"], observed, atol=1e-12)
    assert np.allclose(table["mean_prediction"], predicted, atol=1e-12)
    assert np.allclose(table["gap"], predicted - observed, atol=1e-12)
    assert (table["lower"].iloc[1:].to_numpy() >= table["upper"].iloc[:-1].to_numpy()).all()


def test_no_rows_or_no_labels_say_so(store):
    with pytest.raises(NoLogError, match="no labelled rows of model 'b'; calibration needs labels"):
        calibration(store, require_log(store, "churn"), model="b")
    with pytest.raises(NoLogError, match="has no rows of model 'c'"):
        bias(store, "churn", model="c")
    with pytest.raises(WindowError, match="unknown window 'month'"):
        bias(store, "churn", window="month")


def test_flagged_windows_become_one_monitoring_gap_finding(store):
    frame = bias(store, "churn", settings=FEW)
    [finding] = alert_findings(frame)
    assert (finding.kind, finding.location, finding.anchor) == ("monitoring_gap", "prediction", "bias")
    assert finding.evidence["windows"] == [at(0), at(1)] and finding.evidence["flagged_windows"] == 2
    assert finding.evidence["value"] == pytest.approx(-0.2) and finding.evidence["task"] == "classification"
    assert "prediction bias in 2 day(s)" in finding.message and "label rate" in finding.message
    assert alert_findings(bias(store, "churn")) == []


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bias")
    spec = replace(SAMPLE_SPEC, rows_per_day=1500)
    frames = {}
    for name, each in (("sample", spec), ("clean", spec.clean())):
        store = Store(":memory:")
        ingest_logs(store, "churn", [simulate_log(each, folder / f"{name}.parquet")])
        frames[name] = bias(store, "churn")
    return spec, frames


def test_the_sample_feedback_loop_shows_as_bias_and_the_clean_log_has_none(simulated):
    """The loop lifts the treatment's label rate above the calibrated prediction from `loop_start_day`."""
    spec, frames = simulated
    assert not frames["clean"]["flagged"].any()
    sample = frames["sample"]
    day = (sample["window_start"] - pd.Timestamp(spec.start)).dt.days
    flagged = set(day[sample["flagged"]])
    treatment = 1 - spec.holdout_share
    clear = {d for d in range(spec.days - spec.label_delay_days)
             if spec.loop_lift(d) * treatment > DEFAULT_BIAS_SETTINGS.max_abs_bias + 0.02}  # beyond the noise
    assert clear and clear <= flagged and min(flagged) >= spec.loop_start_day
    assert (sample.loc[sample["flagged"], "bias"] < 0).all()  # more churn observed than predicted
    assert sample["labelled"].iloc[-spec.label_delay_days:].eq(0).all()


def test_a_sampled_log_keeps_counts_and_means_exact_and_marks_its_bands_sampled(tmp_path):
    store = Store(":memory:")
    ingest_logs(store, "churn", [simulate_log(replace(SAMPLE_SPEC, days=3, rows_per_day=3000), tmp_path / "l.parquet")])
    schema = load_log_schema(store, "churn")
    exact = bias(store, "churn")
    sampled = bias(store, "churn", sample=read_log(store, schema, settings=replace(
        DEFAULT_DRIFT_SETTINGS, sample_rows=500)))
    assert not exact["sampled"].any() and sampled["sampled"].all()
    same = ["window_start", "rows", "labelled", "mean_prediction", "mean_prediction_labelled", "label_mean", "bias"]
    pd.testing.assert_frame_equal(sampled[same], exact[same])
    assert (sampled["p50"] - exact["p50"]).abs().max() < 0.05  # 500 of 3,000 rows a day
