"""Load a feature table (CSV or Parquet) with DuckDB, check it can be ablated, and profile it.

Column names come from the user's file, so they never appear in SQL: the file is copied into a
temporary table whose columns are named by position (`c_0`, `c_1`, …). The checks, null rates and
the Spearman ranks run in DuckDB; only the numeric matrix the models need leaves it.
"""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mldebt_core.ablation.choices import TASKS
from mldebt_core.ablation.errors import TableError
from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS, AblationSettings
from mldebt_core.store import Store
from mldebt_core.store.db import QueryError

PARQUET_SUFFIXES = (".parquet", ".pq")
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "BOOLEAN")
_INPUT = "ablation_input"  # a temporary table of the cursor that loads the file


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str


@dataclass(frozen=True, eq=False)
class FeatureTable:
    """A checked feature table: features as a float matrix (NaN for null), the target coded for its task."""

    name: str
    """the file name, as the user knows it"""
    sha256: str
    target: str
    task: str
    features: tuple[str, ...]
    X: np.ndarray
    """rows × features, float64"""
    y: np.ndarray
    """class codes 0..K-1 (classification, int64) or values (regression, float64)"""
    classes: tuple[str, ...]
    """class labels as text, in code order; empty for regression"""
    null_rates: tuple[float, ...]
    """share of rows (0-1) where each feature is null"""
    spearman: np.ndarray
    """features × features Spearman ρ (average ranks of the non-null values; 0 where undefined)"""
    target_rho: tuple[float, ...]
    """Spearman ρ of each feature with the target (class code or value)"""
    rows_without_target: int
    """rows left out because their target is null"""


def read_columns(store: Store, path: Path, name: str | None = None,
                 settings: AblationSettings = DEFAULT_ABLATION_SETTINGS) -> list[Column]:
    """The columns of a CSV or Parquet file (names and DuckDB types), e.g. to let the user pick the target."""
    name = name or path.name
    with store.cursor() as cursor:
        return _describe(cursor, _reader(path, name, settings), path, name)


def load_table(store: Store, path: Path, target: str, task: str | None = None, name: str | None = None,
               settings: AblationSettings = DEFAULT_ABLATION_SETTINGS) -> FeatureTable:
    """Read and check `path`; `task` None detects it from the target (see docs/ablation.md)."""
    name = name or path.name
    reader = _reader(path, name, settings)
    if task is not None and task not in TASKS:
        raise TableError(f"task {task!r}: expected one of {', '.join(TASKS)}")
    with store.cursor() as cursor:
        columns = _describe(cursor, reader, path, name)
        names = [c.name for c in columns]
        if target not in names:
            shown = ", ".join(repr(n) for n in names[:12]) + (", …" if len(names) > 12 else "")
            raise TableError(f"{name}: no column {target!r} to predict; its columns are {shown}")
        t = names.index(target)
        features = [i for i in range(len(columns)) if i != t]
        if not features:
            raise TableError(f"{name}: no feature columns besides the target")
        if len(features) > settings.max_features:
            raise TableError(f"{name}: {len(features)} feature columns; at most {settings.max_features} are "
                             f"ablated (AblationSettings.max_features)")
        select = ", ".join(f"#{i + 1} AS c_{i}" for i in range(len(columns)))
        try:
            cursor.execute(f"CREATE OR REPLACE TEMP TABLE {_INPUT} AS SELECT {select} FROM {reader}", [str(path)])
        except QueryError as error:
            raise TableError(f"{name}: cannot read it: {_first_line(error)}") from None
        try:
            return _profile(cursor, name, _sha256(path), columns, t, features, task, settings)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_INPUT}")


@contextmanager
def table_file(data: bytes, name: str, settings: AblationSettings = DEFAULT_ABLATION_SETTINGS) -> Iterator[Path]:
    """An uploaded table's bytes as a temporary file (DuckDB reads files), deleted afterwards."""
    if len(data) > settings.max_table_bytes:
        raise TableError(f"{name}: {len(data):,} bytes; feature tables are limited to "
                         f"{settings.max_table_bytes:,} bytes (AblationSettings.max_table_bytes)")
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (*PARQUET_SUFFIXES, ".csv") else ".csv"
    with tempfile.TemporaryDirectory(prefix="mldebt-table-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


def _reader(path: Path, name: str, settings: AblationSettings) -> str:
    """The DuckDB table function for `path` (its one parameter is the path), after checking the file."""
    if not path.exists():
        raise TableError(f"{name}: no such file")
    if not path.is_file():
        raise TableError(f"{name}: not a file; expected a CSV or Parquet feature table")
    size = path.stat().st_size
    if size > settings.max_table_bytes:
        raise TableError(f"{name}: {size:,} bytes; feature tables are limited to "
                         f"{settings.max_table_bytes:,} bytes (AblationSettings.max_table_bytes)")
    if size == 0:
        raise TableError(f"{name}: the file is empty; expected a CSV with a header row or a Parquet file")
    with open(path, "rb") as stream:
        parquet = path.suffix.lower() in PARQUET_SUFFIXES or stream.read(4) == b"PAR1"
    # sample_size=-1: the sniffer reads every row, so a text value late in a numeric column is seen as text
    return "read_parquet(?)" if parquet else "read_csv(?, header = true, sample_size = -1)"


def _describe(cursor, reader: str, path: Path, name: str) -> list[Column]:
    try:
        rows = cursor.execute(f"DESCRIBE SELECT * FROM {reader}", [str(path)]).fetchall()
    except QueryError as error:
        kind = "Parquet" if reader.startswith("read_parquet") else "CSV"
        raise TableError(f"{name}: cannot read it as {kind}: {_first_line(error)}") from None
    return [Column(row[0], row[1]) for row in rows]


def _is_numeric(sql_type: str) -> bool:
    return sql_type in _NUMERIC or sql_type.startswith("DECIMAL")


def _profile(cursor, name: str, sha256: str, columns: list[Column], t: int, features: list[int], task: str | None,
             settings: AblationSettings) -> FeatureTable:
    target = columns[t]
    counts = cursor.execute(f"SELECT count(*), count(COLUMNS(*)) FROM {_INPUT} WHERE c_{t} IS NOT NULL").fetchone()
    rows, non_null = counts[0], counts[1:]
    total = cursor.execute(f"SELECT count(*) FROM {_INPUT}").fetchone()[0]
    if rows == 0:
        raise TableError(f"{name}: the target column {target.name!r} is empty (no row has a value)")
    for i in features:  # an empty CSV column reads as text: say it is empty first
        if non_null[i] == 0:
            raise TableError(f"{name}: column {columns[i].name!r} is empty (null in every row); drop it")
        if not _is_numeric(columns[i].sql_type):
            raise TableError(f"{name}: column {columns[i].name!r} is {columns[i].sql_type}, not a number; encode it "
                             f"as numbers (one-hot, ordinal, days since a date) or drop it")
    task = _task(cursor, name, target, t, task, settings)
    needed = settings.folds * settings.min_test_rows
    if rows < needed:
        raise TableError(f"{name}: {rows} rows with a target; {settings.folds}-fold cross-validation needs at "
                         f"least {needed} ({settings.min_test_rows} per test fold, AblationSettings.min_test_rows)")
    classes: tuple[str, ...] = ()
    if task == "classification":
        classes = _classes(cursor, name, target, t, settings)
        y_sql = f"list_position($classes, c_{t}::VARCHAR) - 1"
    else:
        y_sql = f"c_{t}::DOUBLE"
    values = ", ".join(f"coalesce(c_{i}::DOUBLE, 'NaN'::DOUBLE) AS c_{i}" for i in features)
    params = {"classes": list(classes)} if classes else {}
    fetched = cursor.execute(f"SELECT {values}, {y_sql} AS y FROM {_INPUT} WHERE c_{t} IS NOT NULL",
                             params).fetchnumpy()
    X = np.column_stack([np.asarray(fetched[f"c_{i}"], dtype=np.float64) for i in features])
    y = np.asarray(fetched["y"], dtype=np.int64 if classes else np.float64)
    spearman, target_rho = _spearman(cursor, features, t, y_sql, params)
    return FeatureTable(name=name, sha256=sha256, target=target.name, task=task,
                        features=tuple(columns[i].name for i in features), X=X, y=y, classes=classes,
                        null_rates=tuple(1 - non_null[i] / rows for i in features), spearman=spearman,
                        target_rho=tuple(target_rho), rows_without_target=total - rows)


def _task(cursor, name: str, target: Column, t: int, task: str | None, settings: AblationSettings) -> str:
    numeric = _is_numeric(target.sql_type)
    if task == "regression" and (not numeric or target.sql_type == "BOOLEAN"):
        raise TableError(f"{name}: the target {target.name!r} is {target.sql_type}; regression needs numbers")
    if task is not None:
        return task
    if not numeric or target.sql_type == "BOOLEAN":
        return "classification"
    distinct, whole = cursor.execute(
        f"SELECT count(DISTINCT c_{t}), bool_and(c_{t}::DOUBLE = round(c_{t}::DOUBLE)) FROM {_INPUT}").fetchone()
    return "classification" if whole and distinct <= settings.max_classes else "regression"


def _classes(cursor, name: str, target: Column, t: int, settings: AblationSettings) -> tuple[str, ...]:
    counts = cursor.execute(f"SELECT c_{t}::VARCHAR AS label, count(*) FROM {_INPUT} WHERE c_{t} IS NOT NULL "
                            f"GROUP BY ALL ORDER BY min(c_{t})").fetchall()
    if len(counts) == 1:
        raise TableError(f"{name}: the target {target.name!r} has a single class ({counts[0][0]!r} in every row); "
                         f"classification needs at least two")
    if len(counts) > settings.max_classes:
        raise TableError(f"{name}: the target {target.name!r} has {len(counts)} distinct values; classification "
                         f"takes at most {settings.max_classes} (AblationSettings.max_classes): ablate it as "
                         f"regression")
    label, fewest = min(counts, key=lambda row: row[1])
    if fewest < settings.folds:
        raise TableError(f"{name}: class {label!r} of {target.name!r} has {fewest} rows; {settings.folds}-fold "
                         f"cross-validation needs at least {settings.folds} rows of every class")
    return tuple(row[0] for row in counts)


def _spearman(cursor, features: list[int], t: int, y_sql: str, params: dict) -> tuple[np.ndarray, list[float]]:
    """Spearman ρ as Pearson correlation of average ranks, computed in DuckDB (nulls keep no rank)."""
    ranks = ", ".join(f"CASE WHEN c_{i} IS NULL THEN NULL ELSE rank() OVER (ORDER BY c_{i}) + "
                      f"(count(*) OVER (PARTITION BY c_{i}) - 1) / 2.0 END AS r_{i}" for i in features)
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE ablation_ranks AS SELECT {ranks}, "
                   f"rank() OVER (ORDER BY y) + (count(*) OVER (PARTITION BY y) - 1) / 2.0 AS r_y "
                   f"FROM (SELECT *, {y_sql} AS y FROM {_INPUT} WHERE c_{t} IS NOT NULL)", params)
    try:
        size = len(features)
        matrix = np.eye(size)
        target_rho = []
        for a, i in enumerate(features):
            others = ", ".join([f"corr(r_{i}, r_{j})" for j in features[a + 1:]] + [f"corr(r_{i}, r_y)"])
            row = [0.0 if v is None or np.isnan(v) else float(v)
                   for v in cursor.execute(f"SELECT {others} FROM ablation_ranks").fetchone()]
            matrix[a, a + 1:] = row[:-1]
            matrix[a + 1:, a] = row[:-1]
            target_rho.append(row[-1])
        return matrix, target_rho
    finally:
        cursor.execute("DROP TABLE IF EXISTS ablation_ranks")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
