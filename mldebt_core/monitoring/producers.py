"""Up-stream producers (paper § 7): is every logged feature still delivered, complete and in range?

Each feature of a prediction log comes from some producer up-stream. Per window of the log, in SQL:
rows, delivered (non-null) values, null rate, and the share of values out of the reference's range
(numeric: outside its `ProducerSettings.range_quantiles`; categorical: a category it never had). A
window is flagged for

- `nulls`: null rate at least `null_rate_increase` above the reference's (a null spike, a stopped producer);
- `sudden_change`: null rate at least `null_rate_jump` above the median of the `trailing_windows` before it;
- `out_of_range`: at least `out_of_range_share` of the values out of range (a changed unit or encoding),

and a feature is `stale` when its last value is `stale_after_hours` or more before the log's last row.
Windows with fewer than `min_rows_per_window` rows are shown but never flagged.

A feature's *source* is the scanned artifact that produces it, declared with `link_source` (the scan
sees files, tables and URLs, not the columns inside them); the latest scan's lineage then tells which
models the source feeds.
"""

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from mldebt_core.errors import MldebtError
from mldebt_core.logs.sample import LogSample
from mldebt_core.logs.table import LogSchema, require_log
from mldebt_core.logs.windows import START_SQL, window_params
from mldebt_core.monitoring.reference import ReferencePeriod
from mldebt_core.settings import DEFAULT_PRODUCER_SETTINGS, ProducerSettings
from mldebt_core.store import Store, queries, scan_rows

CHECKS = ("nulls", "sudden_change", "out_of_range", "stale")
STATUSES = ("alert", "warn", "ok")
"""worst first: 'alert' = stale or flagged in the last window, 'warn' = flagged in an earlier window"""


class ProducerError(MldebtError):
    """No reference rows to judge, or a feature source that cannot be linked as given."""


@dataclass(frozen=True)
class ProducerReport:
    windows: pd.DataFrame
    """one row per (feature, window): feature, kind, window_start, rows, delivered, null_rate,
    reference_null_rate, out_of_range_share, judged, nulls, sudden_change, out_of_range, flagged"""
    health: pd.DataFrame
    """one row per feature, worst first (see `_health`)"""


def producer_report(store: Store, sample: LogSample, period: ReferencePeriod,
                    settings: ProducerSettings = DEFAULT_PRODUCER_SETTINGS) -> ProducerReport:
    """The health of every feature's producer in the log `sample` read (one model or all, per its window), judged
    against the rows of the reference `period` (a stored profile's period too: its rows' time span). Out-of-range
    shares come from the sample's rows (a sample on a large log), volumes and null rates from its exact totals."""
    schema = sample.schema
    if not schema.features:
        windows = _empty(_WINDOW_COLUMNS)
        return ProducerReport(windows, _health(store, schema, windows, None, settings))
    reference = _reference(store, schema, period.start, period.end, sample.model)
    _add_ranges(store, sample, reference, period.start, period.end, settings)
    windows = _windows(store, sample, reference, settings)
    log_end = sample.totals["last_ts"].iloc[-1]
    return ProducerReport(windows, _health(store, schema, windows, log_end, settings))


def _reference(store: Store, schema: LogSchema, start: datetime, end: datetime, model: str | None) -> dict:
    """Per feature column: the reference's null rate and, for a categorical one, its categories (the range; see
    `_add_ranges` for numeric ones), from every reference row."""
    where = "ts >= $start AND ts < $end AND ($model IS NULL OR model = $model)"
    params = {"start": start, "end": end, "model": model}
    counts = [f"count({f.column})" if f.kind == "numeric" else
              f"count({f.column}), list(DISTINCT {f.column}) FILTER (WHERE {f.column} IS NOT NULL)"
              for f in schema.features]  # generated column names (f_<i>), never user text
    row = store.query(f"SELECT count(*), {', '.join(counts)} FROM {schema.table} WHERE {where}", params)[0]
    rows, values = row[0], iter(row[1:])
    if rows == 0:
        raise ProducerError(f"the reference {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} holds no rows"
                            f"{'' if model is None else f' of model {model!r}'} in the log of {schema.system!r}")
    reference = {}
    for feature in schema.features:
        delivered = next(values)
        reference[feature.column] = {"null_rate": 1 - delivered / rows,
                                     "range": next(values) if feature.kind == "categorical" else None,
                                     "rows": rows}
    return reference


def _add_ranges(store: Store, sample: LogSample, reference: dict, start: datetime, end: datetime,
                settings: ProducerSettings) -> None:
    """Each numeric feature's range in the reference: its `range_quantiles`, from the sample's reference rows when
    the log is sampled, else from every k-th stored row when the reference has more than `range_sample_rows` rows
    (k = rows // range_sample_rows: exact quantiles sort every value, the dearest part of this analysis on large
    logs)."""
    schema = sample.schema
    numeric = [f.column for f in schema.features if f.kind == "numeric"]
    if numeric:
        low, high = settings.range_quantiles
        quantiles = ", ".join(f"quantile_cont({c}, [$low, $high]) AS q_{c}" for c in numeric)
        if sample.sampled:
            bounds = sample.query_df(store, f"SELECT {quantiles} FROM {sample.source} WHERE ts >= $start AND ts < $end",
                                     {"start": start, "end": end, "low": low, "high": high}).iloc[0].tolist()
        else:
            rows = reference[numeric[0]]["rows"]
            bounds = store.query(f"SELECT {quantiles} FROM {schema.table} WHERE ts >= $start AND ts < $end "
                                 "AND ($model IS NULL OR model = $model) AND rowid % $step = 0",
                                 {"start": start, "end": end, "model": sample.model, "low": low, "high": high,
                                  "step": max(1, rows // settings.range_sample_rows)})[0]
        for column, pair in zip(numeric, bounds):
            reference[column]["range"] = pair


def _windows(store: Store, sample: LogSample, reference: dict, settings: ProducerSettings):
    schema, totals = sample.schema, sample.totals
    params: dict = {**window_params(sample.window), "trailing": settings.trailing_windows,
                    "min_rows": settings.min_rows_per_window, "null_increase": settings.null_rate_increase,
                    "null_jump": settings.null_rate_jump, "out_share": settings.out_of_range_share}
    aggregates, columns = [], []
    for i, feature in enumerate(schema.features):
        column, bounds = feature.column, reference[feature.column]["range"]
        if feature.kind == "numeric":
            low, high = bounds if bounds is not None else (None, None)
            params[f"low_{i}"], params[f"high_{i}"] = low, high
            outside = f"{column} < $low_{i} OR {column} > $high_{i}"
        else:
            params[f"known_{i}"] = bounds or []
            outside = f"{column} IS NOT NULL AND {column} NOT IN (SELECT unnest($known_{i}::VARCHAR[]))"
        params[f"ref_{i}"] = reference[column]["null_rate"]
        params[f"name_{i}"] = feature.name
        # sum of a boolean cast runs about three times faster than count(*) FILTER in DuckDB 2.0
        params[f"v_{i}"] = totals[f"v_{i}"].tolist()
        aggregates.append(f"sum(({outside})::INTEGER) / nullif(count({column}), 0) AS o_{i}")
        columns.append((f"$name_{i}", f"$v_{i}[position]", f"o_{i}", f"$ref_{i}"))
    names, values, outside, refs = (", ".join(c[k] for c in columns) for k in range(4))
    params.update(w=totals["w"].tolist(), rows=totals["rows"].tolist())
    if sample.model_filter != "true":
        params["model"] = sample.model
    # volumes and null rates from the exact totals, out-of-range shares from the rows (a sample on a large log)
    frame = sample.query_df(store,
        f"""WITH shares AS (
                SELECT {sample.window_sql} AS w, {', '.join(aggregates)} FROM {sample.source}
                WHERE {sample.model_filter} GROUP BY 1),
            long AS (
                SELECT unnest([{names}]) AS feature, window_start, rows, unnest([{values}]) AS delivered,
                    unnest([{outside}]) AS out_of_range_share, unnest([{refs}])::DOUBLE AS reference_null_rate
                FROM (SELECT *, {START_SQL} AS window_start
                      FROM (SELECT unnest($w) AS w, unnest($rows) AS rows, generate_subscripts($w, 1) AS position)
                      LEFT JOIN shares USING (w))),
            rated AS (SELECT *, 1 - delivered / rows AS null_rate, rows >= $min_rows AS judged FROM long),
            compared AS (
                SELECT *, median(null_rate) OVER (PARTITION BY feature ORDER BY window_start
                    ROWS BETWEEN $trailing PRECEDING AND 1 PRECEDING) AS trailing_null_rate FROM rated),
            flagged AS (
                SELECT feature, window_start, rows, delivered, null_rate, reference_null_rate, trailing_null_rate,
                    out_of_range_share, judged,
                    judged AND null_rate >= reference_null_rate + $null_increase AS nulls,
                    judged AND coalesce(null_rate >= trailing_null_rate + $null_jump, false) AS sudden_change,
                    judged AND coalesce(out_of_range_share >= $out_share, false) AS out_of_range
                FROM compared)
            SELECT *, nulls OR sudden_change OR out_of_range AS flagged FROM flagged
            ORDER BY feature, window_start""", params)
    kinds = {f.name: f.kind for f in schema.features}
    frame.insert(1, "kind", frame["feature"].map(kinds))
    return frame


_WINDOW_COLUMNS = ["feature", "kind", "window_start", "rows", "delivered", "null_rate", "reference_null_rate",
                   "trailing_null_rate", "out_of_range_share", "judged", "nulls", "sudden_change", "out_of_range",
                   "flagged"]
_HEALTH_COLUMNS = ["feature", "kind", "status", "issues", "flagged_windows", "first_flagged", "last_flagged",
                   "null_rate", "reference_null_rate", "worst_null_rate", "last_null_rate", "out_of_range_share",
                   "last_value_at", "hours_since_last_value", "source", "feeds", "delivered_per_window",
                   "null_rate_per_window"]


def _health(store: Store, schema: LogSchema, windows, log_end: datetime | None, settings: ProducerSettings):
    """One row per feature, worst first: status, issues, flagged windows, rates, freshness, source and feeds,
    and the per-window series for sparklines. The windows frame is small (features x windows): pandas."""
    sources = feature_sources(store, schema.system)
    fed = _fed_models(store, schema.system)
    rows = []
    for feature in schema.features:
        mine = windows[windows["feature"] == feature.name]
        flagged = mine[mine["flagged"]]
        delivered = mine[mine["delivered"] > 0]
        last_value = (mine.loc[delivered.index, "window_start"].max() if len(delivered) else None)
        last_value_at = _last_value_at(store, schema, feature.column, last_value)
        gap = (log_end - last_value_at).total_seconds() / 3600 if last_value_at is not None else None
        stale = log_end is not None and (gap is None or gap >= settings.stale_after_hours)
        issues = [check for check in CHECKS[:3] if mine[check].any()] + (["stale"] if stale else [])
        last_flagged = bool(len(mine)) and bool(mine["flagged"].iloc[-1])
        source = sources.get(feature.name)
        total_rows, total_values = int(mine["rows"].sum()), int(mine["delivered"].sum())
        rows.append({
            "feature": feature.name, "kind": feature.kind,
            "status": "alert" if stale or last_flagged else "warn" if len(flagged) else "ok",
            "issues": ", ".join(issues), "flagged_windows": len(flagged),
            "first_flagged": flagged["window_start"].min() if len(flagged) else None,
            "last_flagged": flagged["window_start"].max() if len(flagged) else None,
            "null_rate": 1 - total_values / total_rows if total_rows else None,
            "reference_null_rate": mine["reference_null_rate"].iloc[0] if len(mine) else None,
            "worst_null_rate": mine["null_rate"].max() if len(mine) else None,
            "last_null_rate": mine["null_rate"].iloc[-1] if len(mine) else None,
            "out_of_range_share": mine["out_of_range_share"].mean() if len(mine) else None,
            "last_value_at": last_value_at, "hours_since_last_value": gap,
            "source": source, "feeds": fed.get(source, []),
            "delivered_per_window": mine["delivered"].astype(float).tolist(),
            "null_rate_per_window": mine["null_rate"].round(4).tolist(),
        })
    health = pd.DataFrame(rows, columns=_HEALTH_COLUMNS)
    rank = health["status"].map({status: i for i, status in enumerate(STATUSES)})
    order = pd.DataFrame({"rank": rank, "flagged": -health["flagged_windows"],
                          "worst": -health["worst_null_rate"].fillna(0), "feature": health["feature"]})
    return health.loc[order.sort_values(["rank", "flagged", "worst", "feature"]).index].reset_index(drop=True)


def _last_value_at(store: Store, schema: LogSchema, column: str, last_window: datetime | None) -> datetime | None:
    """The feature's last non-null timestamp, looked up only in its last delivering window (zone maps keep it cheap)."""
    if last_window is None:
        return None
    return store.query_value(f"SELECT max(ts) FROM {schema.table} WHERE ts >= $start AND {column} IS NOT NULL",
                             {"start": last_window})


def source_health(health: pd.DataFrame) -> pd.DataFrame:
    """Per linked source: its features, how many are unhealthy, the worst status and the models it feeds."""
    linked = health[health["source"].notna()]
    rows = []
    for source, group in linked.groupby("source", sort=True):
        worst = min(group["status"], key=STATUSES.index)
        rows.append({"source": source, "status": worst, "features": group["feature"].tolist(),
                     "unhealthy": int((group["status"] != "ok").sum()), "feeds": group["feeds"].iloc[0]})
    frame = pd.DataFrame(rows, columns=["source", "status", "features", "unhealthy", "feeds"])
    return frame.sort_values("status", key=lambda s: s.map(STATUSES.index), kind="stable", ignore_index=True)


# -- feature sources and the lineage they open ------------------------------------------------------------


def feature_sources(store: Store, system: str) -> dict[str, str]:
    """{feature name: artifact id} declared for `system`."""
    return dict(store.query("SELECT feature, artifact FROM feature_sources WHERE system = ? ORDER BY feature",
                            [system]))


def link_source(store: Store, system: str, feature: str, artifact: str) -> str:
    """Declare that `artifact` (an id of the latest scan, e.g. 'file:data/raw/x.csv', or its bare location)
    produces the log feature `feature`; returns the artifact id. Linking again replaces the earlier source."""
    schema = require_log(store, system)
    if feature not in {f.name for f in schema.features}:
        known = ", ".join(f.name for f in schema.features) or "none"
        raise ProducerError(f"{feature!r} is no feature of the log of {system!r} (features: {known})")
    scan_id = queries.latest_scan(store, system)
    if scan_id is None:
        raise ProducerError(f"system {system!r} has no scan, so there is no lineage to link {feature!r} to; "
                            f"store one with `mldebt ingest-scan`")
    found = scan_rows.find_artifact(store, scan_id, artifact)
    if found is None:
        raise ProducerError(f"{artifact!r} is no artifact of the latest scan (#{scan_id}) of {system!r}; "
                            f"artifacts are named like 'file:data/raw/customers.csv' (see the Dependencies page)")
    with store.transaction() as cursor:
        cursor.execute("INSERT OR REPLACE INTO feature_sources VALUES (?, ?, ?)", [system, feature, found])
    return found


def unlink_source(store: Store, system: str, feature: str) -> None:
    if feature not in feature_sources(store, system):
        raise ProducerError(f"{feature!r} has no declared source in system {system!r}")
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM feature_sources WHERE system = ? AND feature = ?", [system, feature])


def _fed_models(store: Store, system: str) -> dict[str, list[str]]:
    """{declared source: the model artifacts of the latest scan it flows into (the scan's lineage closure)}."""
    return scan_rows.models_fed_by(store, queries.latest_scan(store, system), feature_sources(store, system).values())


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
