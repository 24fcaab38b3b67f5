"""Reference profiles: what the drift analysis knows about each column of a reference period.

A numeric column is counted on a grid. On a large log that is `DriftSettings.grid_cells` equal cells
over the reference's [low, high) — cell c holds low + c*width <= x < low + (c+1)*width, cell -1 the
values below low and cell `cells` the values from high up — so binning a row is arithmetic, not a
search (DuckDB counts 10M rows per column in tens of milliseconds that way). On a log of at most
`DriftSettings.exact_max_rows` rows every distinct value is its own cell ("exact"), so the statistics
are exact. A categorical column is counted per category.

A profile can be saved by name (`save_profile`) and used later as `Reference.stored(name)`: it keeps
the grid and the reference's count per cell, so later logs are compared with it even when the
reference rows are gone (a stored profile is always a grid).
"""

import math
import re
from dataclasses import dataclass

from mldebt_core.logs.sample import WEIGHT_SQL, LogSample
from mldebt_core.logs.table import LogSchema
from mldebt_core.monitoring.reference import BadReferenceError, ReferencePeriod
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS, DriftSettings
from mldebt_core.store import Store

PREDICTION = "prediction"


@dataclass(frozen=True)
class ColumnProfile:
    column: str
    """the stored column: 'prediction' or 'f_<i>' (never user text)"""
    name: str
    """what the user calls it: 'prediction' or the feature's name"""
    kind: str
    """'numeric' or 'categorical'"""
    values: int
    """non-null reference values"""
    nulls: int
    mean: float | None = None
    std: float | None = None
    """population standard deviation of the reference values"""
    low: float | None = None
    """the reference's min"""
    high: float | None = None
    """the reference's max"""
    cells: int | None = None
    """equal cells between low and high; None: exact (every distinct value is a cell)"""
    counts: tuple[tuple, ...] | None = None
    """stored profiles only: (cell, count) for numeric columns, (category, count) for categorical ones"""

    @property
    def exact(self) -> bool:
        return self.kind == "numeric" and self.cells is None

    def cell_sql(self, scale_param: str, low_param: str, cells_param: str) -> str:
        """The cell of a row as SQL: the value itself when exact, else its grid cell (BIGINT, -1 … cells)."""
        if self.exact:
            return self.column
        return (f"least(${cells_param}, greatest(-1, floor(({self.column} - ${low_param}) * ${scale_param})))"
                "::BIGINT")

    @property
    def scale(self) -> float:
        """cells per unit of the column (1 when the reference holds one value: cells -1 and 0 only)"""
        return self.cells / (self.high - self.low) if self.cells else 1.0

    @property
    def width(self) -> float:
        return (self.high - self.low) / self.cells if self.cells else 0.0


@dataclass(frozen=True)
class Profile:
    period: ReferencePeriod
    columns: tuple[ColumnProfile, ...]
    """the prediction first, then the features with reference values (a feature with none cannot be compared)"""

    @property
    def stored(self) -> bool:
        return self.period.profile is not None


def build_profile(store: Store, schema: LogSchema, period: ReferencePeriod, windows: int = 1,
                  settings: DriftSettings = DEFAULT_DRIFT_SETTINGS, sample: LogSample | None = None) -> Profile:
    """The profile of a live reference period of the log of `schema` (its counts come from the drift query itself),
    for a comparison with `windows` windows (more windows, fewer grid cells: `DriftSettings.max_window_cells`).
    With a drawn `sample` (see `sample.read_log`), its moments and range are those of the sampled reference rows,
    each weighted by its window's weight."""
    if period.profile is not None:
        return load_profile(store, schema, period)
    cells = min(settings.grid_cells, max(settings.min_grid_cells, settings.max_window_cells // windows - 2))
    if sample is not None and sample.sampled:
        cells = min(cells, settings.sample_grid_cells)
        return Profile(period, tuple(_on_grid(c, cells) if c.kind == "numeric" else c
                                     for c in _sampled_columns(store, schema, period, sample)))
    log_rows = store.query_value(f"SELECT count(*) FROM {schema.table} WHERE $model IS NULL OR model = $model",
                                 {"model": period.model})
    exact = log_rows <= settings.exact_max_rows and windows * period.rows <= settings.max_window_cells
    columns = _columns(schema)
    parts = ["count(*)"]
    for column, _, kind in columns:
        parts.append(f"count({column})")
        if kind == "numeric":
            parts.append(f"avg({column}), stddev_pop({column}), min({column}), max({column})")
    row = store.query(f"SELECT {', '.join(parts)} FROM {schema.table} WHERE ts >= $start AND ts < $end "
                      "AND ($model IS NULL OR model = $model)",
                      {"start": period.start, "end": period.end, "model": period.model})[0]
    rows, position, profiles = row[0], 1, []
    for column, name, kind in columns:
        values = row[position]
        stats = row[position + 1:position + 5] if kind == "numeric" else ()
        position += 1 + len(stats)
        if values:
            profile = ColumnProfile(column, name, kind, values, rows - values, *stats)
            profiles.append(profile if exact or kind != "numeric" else _on_grid(profile, cells))
    return Profile(period, tuple(profiles))


def _sampled_columns(store: Store, schema: LogSchema, period: ReferencePeriod,
                     sample: LogSample) -> list[ColumnProfile]:
    """The reference's columns from the drawn rows in it, weighted (population moments from weighted sums)."""
    columns = _columns(schema)
    parts = ["sum(wt)"]
    for column, _, kind in columns:
        parts.append(f"coalesce(sum(wt * ({column} IS NOT NULL)::INTEGER), 0)")
        if kind == "numeric":
            parts.append(f"sum(wt * {column}), sum(wt * {column} * {column}), min({column}), max({column})")
    row = sample.query_df(store, f"SELECT {', '.join(parts)} FROM (SELECT *, {WEIGHT_SQL} AS wt FROM "
                                 f"{sample.source} WHERE ts >= $start AND ts < $end)",
                          {"start": period.start, "end": period.end, **sample.weights()}).iloc[0].tolist()
    rows, position, profiles = row[0], 1, []
    for column, name, kind in columns:
        weight = row[position]
        if kind == "numeric":
            total, squares, low, high = row[position + 1:position + 5]
            position += 5
            mean = total / weight if weight else None
            stats = (mean, math.sqrt(max(0.0, squares / weight - mean * mean)), low, high) if weight else ()
        else:
            position, stats = position + 1, ()
        if weight:
            values = round(weight)
            profiles.append(ColumnProfile(column, name, kind, values, round(rows) - values, *stats))
    return profiles


def save_profile(store: Store, schema: LogSchema, name: str, period: ReferencePeriod,
                 settings: DriftSettings = DEFAULT_DRIFT_SETTINGS) -> Profile:
    """Count the reference period on the grid and store it as profile `name` (replacing one of that name)."""
    if period.profile is not None:
        raise BadReferenceError("a stored profile is saved from a period of the log, not from another profile")
    if not name.strip():
        raise BadReferenceError("a reference profile needs a name")
    system = schema.system
    live = build_profile(store, schema, period, settings=settings)
    columns = tuple(c if c.kind == "categorical" else _on_grid(c, settings.grid_cells) for c in live.columns)
    rows = []
    for profile in columns:
        params = {"start": period.start, "end": period.end, "model": period.model, "low": profile.low,
                  "scale": profile.scale if profile.kind == "numeric" else None, "cells": profile.cells}
        key = profile.cell_sql("scale", "low", "cells") if profile.kind == "numeric" else profile.column
        sql = (f"SELECT list(key ORDER BY key), list(n ORDER BY key) FROM (SELECT {key} AS key, count(*) AS n "
               f"FROM {schema.table} WHERE ts >= $start AND ts < $end AND ($model IS NULL OR model = $model) "
               f"AND {profile.column} IS NOT NULL GROUP BY ALL)")
        keys, counts = store.query(sql, bound(sql, params))[0]
        numeric = profile.kind == "numeric"
        rows.append((system, name, profile.column, profile.kind, profile.values, profile.nulls, profile.mean,
                     profile.std, profile.low, profile.high, profile.cells,
                     [int(k) for k in keys] if numeric else None, counts if numeric else None,
                     None if numeric else keys, None if numeric else counts))
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM reference_columns WHERE system = ? AND profile = ?", [system, name])
        cursor.execute("DELETE FROM reference_profiles WHERE system = ? AND name = ?", [system, name])
        cursor.execute("INSERT INTO reference_profiles (system, name, model, start_ts, end_ts, row_count) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [system, name, period.model, period.start, period.end,
                                                     period.rows])
        cursor.executemany("INSERT INTO reference_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           rows)
    return load_profile(store, schema, ReferencePeriod(period.start, period.end, period.rows, period.model, name))


def load_profile(store: Store, schema: LogSchema, period: ReferencePeriod) -> Profile:
    """The stored profile named by `period.profile` (see `resolve_reference`)."""
    names = {column: name for column, name, _ in _columns(schema)}
    rows = store.query("SELECT column_name, kind, value_count, null_count, mean, std, low, high, cells, cell_index, "
                       "cell_counts, categories, category_counts FROM reference_columns "
                       "WHERE system = ? AND profile = ?", [schema.system, period.profile])
    columns = []
    for column, kind, values, nulls, mean, std, low, high, cells, index, counts, categories, category_counts in rows:
        if column not in names:  # the log lost this column since the profile was saved: nothing to compare
            continue
        pairs = zip(index, counts) if kind == "numeric" else zip(categories, category_counts)
        columns.append(ColumnProfile(column, names[column], kind, values, nulls, mean, std, low, high, cells,
                                     tuple(pairs)))
    order = list(names)
    return Profile(period, tuple(sorted(columns, key=lambda c: order.index(c.column))))


def bound(sql: str, params: dict) -> dict:
    """The parameters `sql` names (DuckDB refuses unused ones; generated SQL names only some)."""
    return {name: value for name, value in params.items() if re.search(rf"\${name}\b", sql)}


def _on_grid(profile: ColumnProfile, cells: int) -> ColumnProfile:
    """The profile counted on `cells` grid cells; a reference of one value has no cells in between (-1 below, 0
    from it)."""
    return ColumnProfile(profile.column, profile.name, profile.kind, profile.values, profile.nulls, profile.mean,
                         profile.std, profile.low, profile.high, cells if profile.high > profile.low else 0)


def _columns(schema: LogSchema) -> list[tuple[str, str, str]]:
    """(stored column, name, kind) of the prediction and every feature."""
    return [(PREDICTION, PREDICTION, "numeric"), *((f.column, f.name, f.kind) for f in schema.features)]
