"""Prediction bias (paper § 7): do the predictions still match what is observed?

"In a system that is working as intended, it should usually be the case that the distribution of
predicted labels is equal to the distribution of observed labels." Per window ('hour', 'day', 'week';
UTC, weeks from Monday), in one SQL query:

- `mean_prediction` over all rows, and over the labelled rows the `label_mean` (the label rate of a
  classifier, the mean outcome of a regression) and `bias` = mean prediction - label mean there (labels
  arrive late: rows without one count in `rows`, not in `labelled`);
- `flagged` when |bias| exceeds `BiasSettings.max_abs_bias` (classification: every label is 0 or 1 and
  every prediction in [0, 1]) or `max_relative_bias` of |label_mean| (regression), in windows with at
  least `min_labelled_rows` labelled rows;
- the prediction's quantile bands `p05` … `p95` (`BiasSettings.quantiles`, linear interpolation).

`calibration` compares mean prediction and label mean per decile of the prediction over the labelled
rows (as scikit-learn's `calibration_curve(strategy="quantile")`).
"""

import numpy as np
import pandas as pd

from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.sample import LogSample
from mldebt_core.logs.table import LogSchema
from mldebt_core.logs.windows import window_params
from mldebt_core.settings import DEFAULT_BIAS_SETTINGS, BiasSettings
from mldebt_core.store import Store


def band_name(quantile: float) -> str:
    """The column of a quantile band: 0.05 -> 'p05', 0.5 -> 'p50'."""
    return f"p{round(quantile * 100):02d}"


def prediction_bias(store: Store, sample: LogSample, settings: BiasSettings = DEFAULT_BIAS_SETTINGS) -> pd.DataFrame:
    """One row per window of the log `sample` read: window, window_start, rows, labelled, mean_prediction,
    mean_prediction_labelled, label_mean, bias, task ('classification' or 'regression'), flagged, p05 … p95,
    sampled (the bands come from a sample of the window's rows, see `logs.sample`)."""
    window, model = sample.window, sample.model
    columns = ["w", "window_start", "rows", "labelled", "mean_prediction", "mean_prediction_labelled", "label_mean"]
    frame = sample.totals[columns].copy()
    bands = sample.query_df(
        store, f"SELECT {sample.window_sql} AS w, quantile_cont(prediction, $quantiles) AS bands "
        f"FROM {sample.source} WHERE {sample.model_filter} GROUP BY ALL",
        {**({} if sample.sampled else window_params(window)), "quantiles": list(settings.quantiles),
         **({"model": model} if sample.model_filter != "true" else {})})
    frame = frame.merge(bands, on="w", how="left")
    totals = sample.totals
    classification = bool(totals["binary_labels"].all() and totals["min_prediction"].min() >= 0
                          and totals["max_prediction"].max() <= 1)
    frame["bias"] = frame["mean_prediction_labelled"] - frame["label_mean"]
    allowed = settings.max_abs_bias if classification else settings.max_relative_bias * frame["label_mean"].abs()
    frame["task"] = "classification" if classification else "regression"
    frame["flagged"] = ((frame["labelled"] >= settings.min_labelled_rows) & (frame["bias"].abs() > allowed)).fillna(
        False).astype(bool)
    bands = np.array(frame["bands"].tolist(), dtype=float).reshape(len(frame), len(settings.quantiles))
    for position, quantile in enumerate(settings.quantiles):
        frame[band_name(quantile)] = bands[:, position]
    frame["sampled"] = (totals["kept"] < totals["rows"]).to_numpy()
    frame.insert(0, "window", window)
    return frame.drop(columns=["w", "bands"])


def calibration(store: Store, schema: LogSchema, model: str | None = None,
                settings: BiasSettings = DEFAULT_BIAS_SETTINGS) -> pd.DataFrame:
    """DataFrame, one row per non-empty score bin of the labelled rows (bins: the prediction's quantiles, a value
    on an edge in the lower bin): bin, lower, upper (the bin's smallest and largest prediction), rows,
    mean_prediction, label_mean, gap (mean prediction - label mean)."""
    table = schema.table
    count = settings.calibration_bins
    inside = " + ".join(f"(prediction > edges[{i}])::INTEGER" for i in range(1, count))  # edges: 1-based list
    frame = store.query_df(
        f"WITH labelled AS (SELECT prediction, label FROM {table} "
        "WHERE label IS NOT NULL AND ($model IS NULL OR model = $model)), "
        "cuts AS (SELECT quantile_cont(prediction, $probabilities) AS edges FROM labelled) "
        f"SELECT {inside or '0'} AS bin, min(prediction) AS lower, max(prediction) AS upper, count(*) AS rows, "
        "avg(prediction) AS mean_prediction, avg(label) AS label_mean "
        "FROM labelled, cuts GROUP BY ALL ORDER BY bin",
        {"model": model, "probabilities": [i / count for i in range(1, count)]})
    if frame.empty:
        raise NoLogError(f"the prediction log of {schema.system!r} has no labelled rows"
                                f"{'' if model is None else f' of model {model!r}'}; calibration needs labels")
    frame["gap"] = frame["mean_prediction"] - frame["label_mean"]
    return frame

