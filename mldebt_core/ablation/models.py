"""The models an ablation retrains: scikit-learn's HistGradientBoosting (default) or a linear model."""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mldebt_core.settings import AblationSettings


def make_model(name: str, task: str, seed: int, settings: AblationSettings):
    """A fresh, unfitted estimator; the same name, task and seed always give the same model."""
    classification = task == "classification"
    if name == "hgb":
        kind = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
        return kind(random_state=seed)
    if name == "linear":
        last = (LogisticRegression(max_iter=settings.linear_max_iter, random_state=seed) if classification
                else LinearRegression())
        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(), last)
    raise ValueError(f"unknown model {name!r}")  # callers offer MODELS only


def predict(model, X: np.ndarray, task: str) -> np.ndarray:
    """Class probabilities (rows, classes) or predicted values (rows,)."""
    return model.predict_proba(X) if task == "classification" else model.predict(X)
