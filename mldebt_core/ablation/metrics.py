"""The metrics an ablation scores with, vectorised over many prediction sets at once.

Permutation importance scores hundreds of shuffled copies of a test fold; each metric here takes
predictions of shape (copies, rows[, classes]) and returns one score per copy, equal to
scikit-learn's metric of each copy (tests check it).
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from mldebt_core.settings import AblationSettings

_CLIP = np.finfo(np.float64).eps  # as scikit-learn's log_loss: log(0) never happens


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    task: str
    higher_is_better: bool
    """scores (ROC AUC, R²) rise with quality; errors (log loss, RMSE) fall"""

    def scores(self, y: np.ndarray, predictions: np.ndarray) -> np.ndarray:
        """One score per copy: `predictions` is (copies, rows) for regression, (copies, rows, classes) else."""
        return _SCORERS[self.name](y, predictions)

    def loss(self, baseline, variant):
        """How much worse `variant` is than `baseline` (positive: the removed feature helped)."""
        return np.subtract(baseline, variant) if self.higher_is_better else np.subtract(variant, baseline)

    def epsilon(self, baseline: float, settings: AblationSettings) -> float:
        """The loss below which a feature is weak: score points, or a share of the baseline error."""
        return settings.epsilon_score if self.higher_is_better else settings.epsilon_error_share * baseline


def _roc_auc(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Macro one-vs-rest ROC AUC (binary: of the second class) by the rank-sum formula, ties counted half."""
    classes = range(1, 2) if proba.shape[-1] == 2 else range(proba.shape[-1])
    return np.mean([_binary_auc(y == k, proba[..., k]) for k in classes], axis=0)


def _binary_auc(positive: np.ndarray, scores: np.ndarray) -> np.ndarray:
    ranks = rankdata(scores, axis=-1)
    n_pos = positive.sum()
    n_neg = positive.size - n_pos
    return (ranks[..., positive].sum(axis=-1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _log_loss(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    picked = np.take_along_axis(proba, y[None, :, None], axis=-1)[..., 0]
    return -np.log(np.clip(picked, _CLIP, 1 - _CLIP)).mean(axis=-1)


def _r2(y: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    return 1 - ((predicted - y) ** 2).sum(axis=-1) / ((y - y.mean()) ** 2).sum()


def _rmse(y: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    return np.sqrt(((predicted - y) ** 2).mean(axis=-1))


_SCORERS = {"roc_auc": _roc_auc, "log_loss": _log_loss, "r2": _r2, "rmse": _rmse}

METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("roc_auc", "ROC AUC", "classification", True),
    Metric("log_loss", "log loss", "classification", False),
    Metric("r2", "R²", "regression", True),
    Metric("rmse", "RMSE", "regression", False),
]}
