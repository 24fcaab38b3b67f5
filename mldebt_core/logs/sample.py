"""What one analysis run reads from a log: exact per-window totals, and the rows its distributions come from.

Drift, prediction bias and producer health all look at the log per window. One `read_log` does, for a system,
model and window size:

- one exact pass over every row (`LogSample.totals`): per window its rows, first and last timestamp, labelled
  rows, the prediction's mean (over all rows and over the labelled ones), min and max, the label mean, and every
  feature's non-null values. Counts, means, null rates and volumes come from here.
- the rows the distribution statistics read (PSI, JS, KS, Wasserstein, quantile bands, out-of-range shares):
  the log itself when no window has more than `DriftSettings.sample_rows` rows and the log has at most
  `sample_total_rows` (then every statistic is exact), else a seeded sample drawn once for the whole run: a row
  of window w is kept when hash(rowid, `sample_seed`) / 2^64 < min(sample_rows / rows(w), sample_total_rows /
  all rows), so a large window keeps about `sample_rows` rows, a small one all of its rows unless the log is
  so large that its windows together would exceed `sample_total_rows`. The drawn rows live in memory (Arrow,
  about 160 bytes a row) and are read by DuckDB as a view; `weight(w)` = rows(w) / kept(w) lets a sum over several
  windows (a reference) count each
  window as large as it is.
"""

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.table import LogSchema
from mldebt_core.logs.windows import WINDOW_SQL, window_params
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, DriftSettings
from mldebt_core.store import Store

SAMPLE_VIEW = "log_sample"
"""the name under which a query sees the drawn rows"""
_HASH_BITS = 53
"""the hash's top bits compared with a window's keep share (integers below 2^53 are exact as DOUBLE)"""


@dataclass(frozen=True)
class LogSample:
    schema: LogSchema
    window: str
    model: str | None
    totals: pd.DataFrame
    """one row per window with rows, in time order: w, window_start, first_ts, last_ts, rows, labelled,
    mean_prediction, mean_prediction_labelled, label_mean, binary_labels, min_prediction, max_prediction,
    v_<i> (non-null values of feature i), kept (rows drawn), weight (rows / kept)"""
    rows: pa.Table | None
    """the drawn rows (w, ts, prediction, the features); None when the log itself is read"""

    @property
    def sampled(self) -> bool:
        return self.rows is not None

    @property
    def source(self) -> str:
        """What a query reads the rows from: the stored log, or the drawn rows."""
        return SAMPLE_VIEW if self.sampled else self.schema.table

    @property
    def model_filter(self) -> str:
        """SQL condition on the stored log's model (the drawn rows are of the model already)."""
        return "model = $model" if self.model is not None and not self.sampled else "true"

    @property
    def window_sql(self) -> str:
        """SQL: the window number w of a row of `source` (the drawn rows carry it)."""
        return "w" if self.sampled else WINDOW_SQL

    def weights(self) -> dict:
        """Parameters for `WEIGHT_SQL`: each window's weight, by w."""
        return {"weight_first": int(self.totals["w"].iloc[0]), "weights": self.totals["weight"].tolist()}

    def query_df(self, store: Store, sql: str, params: dict):
        """`sql`'s result as a DataFrame, with the drawn rows visible as `SAMPLE_VIEW`."""
        with store.cursor() as cursor:
            if self.sampled:
                cursor.register(SAMPLE_VIEW, self.rows)
            return cursor.execute(sql, params).df()


WEIGHT_SQL = "$weights[(w - $weight_first + 1)::BIGINT]"
"""SQL: the weight of window w (parameters from `LogSample.weights`)"""


def read_log(store: Store, schema: LogSchema, window: str = "day", model: str | None = None,
             settings: DriftSettings = DEFAULT_DRIFT_SETTINGS) -> LogSample:
    """The exact per-window totals of `schema`'s log (rows of `model`; None: all) and, when a window has more
    than `settings.sample_rows` rows, the drawn rows."""
    where = "WHERE model = $model" if model is not None else ""
    params = {**window_params(window), **({"model": model} if model is not None else {})}
    values = ", ".join(f"count({f.column}) AS v_{i}" for i, f in enumerate(schema.features))
    totals = store.query_df(
        f"SELECT {WINDOW_SQL} AS w, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS rows, "
        "count(label) AS labelled, avg(prediction) AS mean_prediction, "
        # the two below are the dearest aggregates of the pass; a sum of products costs a third less than
        # avg(...) FILTER (WHERE ...) and bool_and(label IN (0, 1))
        "sum(prediction * (label IS NOT NULL)::INTEGER) / nullif(count(label), 0) AS mean_prediction_labelled, "
        "avg(label) AS label_mean, coalesce(sum(abs(label * (1 - label))) = 0, true) AS binary_labels, "
        "min(prediction) AS min_prediction, "
        f"max(prediction) AS max_prediction{', ' if values else ''}{values} "
        f"FROM {schema.table} {where} GROUP BY ALL ORDER BY w", params)
    if totals.empty:
        raise NoLogError(f"the prediction log of {schema.system!r} has no rows"
                         f"{'' if model is None else f' of model {model!r}'}")
    width, shift = params["window_width"], params["window_shift"]
    totals.insert(1, "window_start", pd.to_datetime(totals["w"] * width - shift, unit="us"))
    total = int(totals["rows"].sum())
    if totals["rows"].max() <= settings.sample_rows and total <= settings.sample_total_rows:
        totals["kept"], totals["weight"] = totals["rows"], 1.0
        return LogSample(schema, window, model, totals, None)
    first = int(totals["w"].iloc[0])
    span = int(totals["w"].iloc[-1]) - first + 1
    limits = [0] * span  # per w from the first: keep a row when the top bits of its hash are below this
    overall = min(1.0, settings.sample_total_rows / total)
    for w, rows in zip(totals["w"], totals["rows"]):
        limits[int(w) - first] = int(min(overall, settings.sample_rows / rows) * 2 ** _HASH_BITS)
    columns = ", ".join([f"{WINDOW_SQL} AS w", "ts", "prediction", *(f.column for f in schema.features)])
    with store.cursor() as cursor:
        drawn = cursor.sql(
            f"SELECT {columns} FROM {schema.table} WHERE {'model = $model AND ' if model is not None else ''}"
            f"(hash(rowid, $seed) >> {64 - _HASH_BITS})::BIGINT < $limits[({WINDOW_SQL} - $first + 1)::BIGINT]",
            params={**params, "seed": settings.sample_seed, "limits": limits, "first": first}).to_arrow_table()
    sample = LogSample(schema, window, model, totals, drawn)
    kept = sample.query_df(store, f"SELECT w, count(*) AS kept FROM {sample.source} GROUP BY ALL", {})
    totals["kept"] = totals["w"].map(dict(zip(kept["w"], kept["kept"]))).fillna(0).astype("int64")
    totals["weight"] = (totals["rows"] / totals["kept"].where(totals["kept"] > 0)).fillna(0.0)
    return sample
