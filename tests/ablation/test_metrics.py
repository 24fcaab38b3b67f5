"""The vectorised metrics score every copy exactly as scikit-learn scores it alone; losses and ε point the right
way."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss, mean_squared_error, r2_score, roc_auc_score

from mldebt_core.ablation.choices import DEFAULT_METRIC, METRIC_TASKS
from mldebt_core.ablation.metrics import METRICS
from mldebt_core.settings import AblationSettings


def probabilities(generator, copies, rows, classes):
    raw = generator.random((copies, rows, classes))
    return raw / raw.sum(axis=-1, keepdims=True)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), classes=st.integers(2, 4), rows=st.integers(8, 40))
def test_classification_metrics_equal_scikit_learns(seed, classes, rows):
    generator = np.random.default_rng(seed)
    y = np.concatenate([np.arange(classes), generator.integers(0, classes, rows - classes)])
    proba = probabilities(generator, 3, rows, classes)
    proba[1] = np.round(proba[1], 1)  # ties in the scores
    proba[1] /= proba[1].sum(axis=-1, keepdims=True)
    auc = METRICS["roc_auc"].scores(y, proba)
    loss = METRICS["log_loss"].scores(y, proba)
    for copy in range(3):
        expected = (roc_auc_score(y, proba[copy][:, 1]) if classes == 2
                    else roc_auc_score(y, proba[copy], multi_class="ovr", average="macro"))
        assert auc[copy] == pytest.approx(expected, abs=1e-12)
        assert loss[copy] == pytest.approx(log_loss(y, proba[copy], labels=list(range(classes))), rel=1e-9)


def test_regression_metrics_equal_scikit_learns():
    generator = np.random.default_rng(3)
    y = generator.normal(size=30)
    predicted = y + generator.normal(scale=[[0.1], [1.0]], size=(2, 30))
    for copy in range(2):
        assert METRICS["r2"].scores(y, predicted)[copy] == pytest.approx(r2_score(y, predicted[copy]))
        assert METRICS["rmse"].scores(y, predicted)[copy] == pytest.approx(
            np.sqrt(mean_squared_error(y, predicted[copy])))


def test_loss_is_positive_when_the_variant_is_worse_and_epsilon_has_the_metrics_unit():
    settings = AblationSettings(epsilon_score=0.01, epsilon_error_share=0.1)
    assert METRICS["roc_auc"].loss(0.9, 0.8) == pytest.approx(0.1)
    assert METRICS["rmse"].loss(2.0, 2.5) == pytest.approx(0.5)
    assert METRICS["r2"].epsilon(0.7, settings) == 0.01
    assert METRICS["log_loss"].epsilon(0.4, settings) == pytest.approx(0.04)


def test_the_light_option_lists_match_the_metrics():
    assert {name: m.task for name, m in METRICS.items()} == METRIC_TASKS
    assert all(METRIC_TASKS[name] == task for task, name in DEFAULT_METRIC.items())
