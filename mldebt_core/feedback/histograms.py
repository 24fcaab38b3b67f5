"""Per-window histograms of a system's prediction log: the one grouped query a comparison is computed from.

For the chosen rows (one model, or all), DuckDB groups by window, model, segment and prediction bin and
returns counts and sums only: rows, labelled rows, positive labels, the sum of predictions and, for each
numeric column the user named, its count, sum and sum of squares. Rates, means, AUC, intervals and
detection run on these few thousand numbers (metrics.py), never on rows.

The bins are equal-width from the log's smallest to its largest prediction, which DuckDB answers from
its column statistics without a scan. A prediction too far out to get a bin number (only possible when
the two are computed at different times) counts in everything but AUC.
"""

from dataclasses import dataclass

import numpy as np

from mldebt_core.errors import MldebtError
from mldebt_core.logs.table import LogSchema, log_models
from mldebt_core.logs.windows import DEFAULT_WINDOW, START_SQL, WINDOW_SQL, check_window, window_params
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings
from mldebt_core.store import Store

HOLDOUT, TREATMENT = 0, 1


class FeedbackError(MldebtError):
    """A comparison that cannot be made as asked: no segments, no labels, an unknown model, segment or column."""


@dataclass(frozen=True)
class Selection:
    """Which rows of the log are compared, and per what window."""

    model: str | None = None
    """None: every model's rows together"""
    holdout: str = DEFAULT_FEEDBACK_SETTINGS.holdout_segment
    treatment: str | None = None
    """None: every segment other than the holdout"""
    window: str = DEFAULT_WINDOW
    columns: tuple[str, ...] = ()
    """numeric features (names as in the user's file) whose means are compared too, e.g. revenue"""

    def __post_init__(self):
        check_window(self.window)
        if self.treatment is not None and self.treatment == self.holdout:
            raise FeedbackError(f"segments: the holdout and the treatment are both {self.holdout!r}; name two "
                                f"different segments")

    @property
    def treatment_label(self) -> str:
        return self.treatment if self.treatment is not None else f"all but {self.holdout}"


@dataclass(frozen=True)
class Histograms:
    """Counts and sums per window (axis 0), side (axis 1: HOLDOUT, TREATMENT) and prediction bin (axis 2).

    The last bin holds the rows without a bin number (see the module docstring).
    """

    windows: np.ndarray
    """window starts, datetime64"""
    rows: np.ndarray
    labelled: np.ndarray
    positives: np.ndarray
    prediction_sum: np.ndarray
    bin_width: float
    """prediction units; within-bin spread is taken as uniform over this width"""
    columns: dict[str, np.ndarray]
    """column name -> (window, side, 3): count, sum, sum of squares of its non-null values"""


@dataclass(frozen=True)
class LogHistograms:
    """The histograms of the compared rows, each model's own, and what the comparison left out."""

    pooled: Histograms
    by_model: dict[str, Histograms]
    """empty when one model was selected"""
    segments: dict[str, int]
    """rows per segment value in the selected rows (None: rows without a segment)"""
    labels_binary: bool
    """every label is 0 or 1 (booleans are stored so)"""


def load_histograms(store: Store, schema: LogSchema, selection: Selection,
                    settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> LogHistograms:
    """One grouped query over the selected rows of the log; every input error is raised here, naming what is
    missing."""
    system = schema.system
    columns = [_numeric_column(schema, name) for name in selection.columns]
    # identifiers are generated (logs.table): the table name and f_<i> columns; every value is a parameter
    low, high = store.query(f"SELECT min(prediction), max(prediction) FROM {schema.table}")[0]  # from statistics
    bins = settings.histogram_bins
    width = (high - low) / bins if high is not None and high > low else 0.0
    sums = "".join(f", count({c}) AS c{i}_n, sum({c}) AS c{i}_sum, sum({c} * {c}) AS c{i}_sq"
                   for i, c in enumerate(columns))
    pooled = selection.model is None
    where, model_key = ("", "model, ") if pooled else ("WHERE model = $model", "")
    frame = store.query_df(
        f"""SELECT {START_SQL} AS window_start, * EXCLUDE (w) FROM (
                SELECT {WINDOW_SQL} AS w, {model_key}segment,
                    TRY_CAST((prediction - $low) * $scale - 0.5 AS INTEGER) AS bin,
                    count(*) AS n, count(label) AS labelled, sum(label) AS positives, sum(label * label) AS squares,
                    sum(prediction) AS prediction_sum{sums}
                FROM {schema.table} {where} GROUP BY ALL)""",
        {"low": low or 0.0, "scale": 1.0 / width if width else 0.0, **window_params(selection.window),
         **({} if pooled else {"model": selection.model})})
    if frame.empty:
        _no_rows(store, schema, selection)
    segments = frame.groupby("segment", dropna=False)["n"].sum()
    counts = {None if not isinstance(k, str) else k: int(v) for k, v in segments.items()}
    side = _sides(counts, selection, system)
    frame = frame.assign(side=frame["segment"].map(side)).dropna(subset=["side"])
    windows = np.sort(frame["window_start"].unique().to_numpy(dtype="datetime64[us]"))
    window_index = np.searchsorted(windows, frame["window_start"].to_numpy(dtype="datetime64[us]"))
    bin_index = frame["bin"].to_numpy(dtype="float64", na_value=np.nan)
    bin_index = np.where(np.isnan(bin_index), bins, np.clip(np.nan_to_num(bin_index), 0, bins - 1)).astype(int)
    keys = (window_index, frame["side"].to_numpy(dtype=int), bin_index)
    model_names = sorted(frame["model"].unique()) if pooled else []

    def histograms(rows) -> Histograms:
        part = frame if rows is None else frame[rows]
        index = tuple(k if rows is None else k[rows.to_numpy()] for k in keys)
        cube = {name: _accumulate(index, part[name].to_numpy(dtype="float64", na_value=0.0), len(windows), bins + 1)
                for name in ("n", "labelled", "positives", "prediction_sum")}
        extra = {name: np.stack([_accumulate(index, part[f"c{i}_{s}"].to_numpy(dtype="float64", na_value=0.0),
                                             len(windows), bins + 1).sum(axis=2) for s in ("n", "sum", "sq")], axis=2)
                 for i, name in enumerate(selection.columns)}
        return Histograms(windows, cube["n"], cube["labelled"], cube["positives"], cube["prediction_sum"], width,
                          extra)

    # labels are 0/1 exactly when sum(label^2 - label) = 0: other values in (0, 1) make it negative, values
    # outside [0, 1] positive, and only a contrived mix of both cancels out
    binary = np.isclose(frame["squares"].sum(), frame["positives"].sum())
    return LogHistograms(histograms(None), {m: histograms(frame["model"] == m) for m in model_names}, counts,
                         bool(binary))


def _accumulate(index: tuple[np.ndarray, ...], values: np.ndarray, windows: int, bins: int) -> np.ndarray:
    cube = np.zeros((windows, 2, bins))
    np.add.at(cube, index, values)
    return cube


def _numeric_column(schema: LogSchema, name: str) -> str:
    numeric = [f.name for f in schema.features if f.kind == "numeric"]
    try:
        feature = schema.feature(name)
    except KeyError:
        raise FeedbackError(f"metric {name!r}: no such metric or column in the log of {schema.system}; numeric "
                            f"columns: {', '.join(numeric) or 'none'}") from None
    if feature.kind != "numeric":
        raise FeedbackError(f"metric {name!r}: the column is categorical; a mean needs a numeric column "
                            f"({', '.join(numeric) or 'none in this log'})")
    return feature.column


def _no_rows(store: Store, schema: LogSchema, selection: Selection):
    if selection.model is None:
        raise FeedbackError(f"the prediction log of {schema.system} has no rows")
    raise FeedbackError(f"model {selection.model!r}: not in the log of {schema.system}; models: "
                        f"{', '.join(log_models(store, schema))}")


def _sides(counts: dict[str | None, int], selection: Selection, system: str) -> dict[str, int]:
    """Segment value -> HOLDOUT or TREATMENT; a clear error when the log cannot be split so."""
    named = sorted(k for k in counts if k is not None)
    if not named:
        raise FeedbackError(f"the prediction log of {system} has no segment column (every row's segment is empty); "
                            f"a holdout comparison needs one, e.g. 'holdout'/'treatment': map it at ingest")
    if len(named) == 1:
        raise FeedbackError(f"the prediction log of {system} has a single segment, {named[0]!r}; a holdout "
                            f"comparison needs a holdout and a treatment segment")
    for role, value in (("holdout", selection.holdout), ("treatment", selection.treatment)):
        if value is not None and value not in counts:
            raise FeedbackError(f"{role} segment {value!r}: not in the log of {system}; segments: {', '.join(named)}")
    if selection.treatment is not None:
        return {selection.holdout: HOLDOUT, selection.treatment: TREATMENT}
    return {value: HOLDOUT if value == selection.holdout else TREATMENT for value in named}
