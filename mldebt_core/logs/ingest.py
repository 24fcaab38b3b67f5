"""Prediction-log ingest: DuckDB reads CSV, Parquet or JSON Lines (gzip too) straight into a system's log table.

One `INSERT … SELECT` per file from DuckDB's own reader (never row by row in Python, never the whole
file in pandas), all files of one call in one transaction: a refused file leaves the database exactly
as it was. The reader's columns are renamed positionally (`AS src(c0, c1, …)`), so names from the
user's file never reach SQL. Each value is converted by its role (`_Conversion`); a value that does not
fit raises inside the insert (DuckDB's `error()`), and only then a second scan, with row numbers, finds
the first bad row for the message (file, column, row, value).

CSV and JSON are read as text and converted here, so one odd value deep in a file is reported rather
than mis-typed by the readers' sampling; Parquet keeps its types. Timestamps with a time zone are
converted to UTC, those without one are taken as UTC. Each file's sha256 is computed in a thread beside
its insert (hashlib releases the GIL); the same content stored again for the system adds nothing.
"""

import errno
import gzip
import hashlib
import json
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import duckdb
import pandas as pd

from mldebt_core.logs.errors import LogIngestError
from mldebt_core.logs.inputs import os_reason
from mldebt_core.logs.readers import (
    DESCRIBE_READERS,
    VALUE_READERS,
    checked_format,
    describe,
    log_format,
    reader_error,
    reader_params,
    run_reader,
)
from mldebt_core.logs.roles import FEATURE_ROLES, LogColumn, propose_roles, resolve_roles, type_family
from mldebt_core.logs.table import DEFAULT_MODEL, LogSchema, create_log_table, read_log_schema
from mldebt_core.settings import DEFAULT_LOG_INGEST_SETTINGS, LogIngestSettings
from mldebt_core.store import Store

_BAD_VALUE = "mldebt: a value does not fit its role"
_TIMESTAMP_EXAMPLE = "2026-03-01T12:00:00Z"


@dataclass(frozen=True)
class IngestedFile:
    source: str
    rows: int
    """rows added (0 for a duplicate)"""
    first_ts: datetime | None
    last_ts: datetime | None
    duplicate: bool
    """the same content was already stored for the system: nothing added"""


@dataclass(frozen=True)
class LogIngestResult:
    system: str
    table: str
    files: tuple[IngestedFile, ...]

    @property
    def rows_added(self) -> int:
        return sum(f.rows for f in self.files)


@dataclass(frozen=True)
class LogPreview:
    """What the Monitoring page shows before anything is written: the columns, the proposed roles, a few rows."""

    source: str
    format: str
    columns: tuple[LogColumn, ...]
    roles: dict[str, str]
    sample: pd.DataFrame
    """the first rows"""


def preview_log(store: Store, path: str | Path, name: str | None = None,
                settings: LogIngestSettings = DEFAULT_LOG_INGEST_SETTINGS) -> LogPreview:
    """Columns, proposed roles and the first `settings.preview_rows` rows of a log file; nothing is written."""
    source = name or str(path)
    fmt = checked_format(Path(path), source)
    with store.cursor() as cursor:
        columns = describe(cursor, Path(path), fmt, source, settings.kind_sample_rows)
        sample = run_reader(cursor, f"SELECT * FROM {DESCRIBE_READERS[fmt]} LIMIT $rows",
                      {**reader_params(Path(path), fmt, source), "rows": settings.preview_rows}, source, fmt).df()
    return LogPreview(source, fmt, columns, propose_roles(columns), sample)


def ingest_logs(store: Store, system: str, files: Sequence[str | Path], overrides: Mapping[str, str] | None = None,
                names: Sequence[str] | None = None, progress: Callable[[float, float], None] | None = None,
                settings: LogIngestSettings = DEFAULT_LOG_INGEST_SETTINGS) -> LogIngestResult:
    """Append log files to `system`'s log in one transaction; roles are proposed per file, `overrides`
    ({column: role}) on top. `names` are the files' names for messages and the record (default: the paths).
    `progress(done, total)` is called now and then while the files are read: percent of DuckDB's query progress,
    100 per file, so total is 100 times the number of files.
    Raises LogIngestError (or RoleError) naming the file, column and an example row; nothing is written then."""
    system = system.strip()
    if not system:
        raise LogIngestError("the system name is empty; give one with --system NAME")
    if not files:
        raise LogIngestError("no log file given")
    paths = [Path(f) for f in files]
    sources = list(names) if names is not None else [str(p) for p in paths]
    formats = [checked_format(p, s) for p, s in zip(paths, sources, strict=True)]
    done = []
    source = sources[0]
    try:
        with store.transaction() as cursor, ThreadPoolExecutor(1) as hasher:
            cursor.execute("SET TimeZone = 'UTC'")
            if progress is not None:
                cursor.execute("SET enable_progress_bar = true")
                cursor.execute("SET enable_progress_bar_print = false")
            for position, (path, source, fmt) in enumerate(zip(paths, sources, formats)):
                hashed = hasher.submit(_sha256, path, source, settings.read_chunk_bytes)
                if path.stat().st_size < settings.hash_overlap_min_bytes:
                    hashed.result()  # small: learn first whether it is a duplicate, skip the insert then
                with _reporting(cursor, progress, 100.0 * position, 100.0 * len(paths),
                                settings.progress_interval_seconds):
                    done.append(_ingest_file(store, cursor, system, path, source, fmt, overrides or {}, hashed,
                                             settings))
            table = read_log_schema(cursor, system).table
    except (duckdb.Error, OSError) as error:  # the insert, the commit or a spill to DuckDB's temp folder
        if _disk_full(error):
            raise _full_disk(source) from None
        raise
    return LogIngestResult(system, table, tuple(done))


def stage_upload(name: str, stream: BinaryIO, folder: str | Path,
                 settings: LogIngestSettings = DEFAULT_LOG_INGEST_SETTINGS) -> Path:
    """Copy an uploaded log into `folder` under a name that keeps its format; refuses unknown formats, files
    above `settings.max_upload_bytes` and compressed ones expanding past `settings.max_upload_decompressed_bytes`
    (both checked while copying, never holding the whole file). Messages name the upload, not the folder."""
    log_format(name)
    suffixes = "".join(Path(name).suffixes[-2:]) if name.lower().endswith(".gz") else Path(name).suffix
    target = Path(folder) / f"upload{suffixes.lower()}"
    copied = 0
    try:
        with open(target, "wb") as out:
            while chunk := stream.read(settings.read_chunk_bytes):
                copied += len(chunk)
                if copied > settings.max_upload_bytes:
                    raise LogIngestError(f"{name}: larger than {settings.max_upload_bytes / 1e6:,.0f} MB, the "
                                         f"upload limit (LogIngestSettings.max_upload_bytes); use `mldebt "
                                         f"ingest-log` instead")
                out.write(chunk)
        if suffixes.lower().endswith(".gz"):
            _check_expansion(target, name, settings)
    except OSError as error:
        raise LogIngestError(f"{name}: cannot stage the upload: {os_reason(error)}") from None
    return target


def _check_expansion(path: Path, name: str, settings: LogIngestSettings) -> None:
    """Decompress as a stream, counting bytes, and stop at the limit: a gzip bomb costs at most the limit."""
    limit, expanded = settings.max_upload_decompressed_bytes, 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(settings.read_chunk_bytes):
                expanded += len(chunk)
                if expanded > limit:
                    raise LogIngestError(f"{name}: expands to more than {limit / 1e6:,.0f} MB when decompressed, "
                                         f"the upload limit (LogIngestSettings.max_upload_decompressed_bytes); use "
                                         f"`mldebt ingest-log` instead")
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise LogIngestError(f"{name}: not a valid gzip file ({error})") from None


# -- one file ----------------------------------------------------------------------------------------------


def _ingest_file(store, cursor, system, path, source, fmt, overrides, hashed, settings) -> IngestedFile:
    columns = describe(cursor, path, fmt, source, settings.kind_sample_rows)
    roles = resolve_roles(columns, overrides, source)
    if hashed.done() and _is_stored(cursor, system, hashed.result()):
        return IngestedFile(source, 0, None, None, duplicate=True)
    conversions = [_Conversion(index, column, roles[column.name], fmt, source)
                   for index, column in enumerate(columns) if roles[column.name] != "ignore"]
    features = [(c.column.name, c.role) for c in conversions if c.role in FEATURE_ROLES]
    schema = read_log_schema(cursor, system) or create_log_table(cursor, system, features)
    _check_features(schema, features, source)
    file_id = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM log_files").fetchone()[0]
    targets, values = _insert_lists(schema, conversions)
    reader = f"{VALUE_READERS[fmt]} AS src({', '.join(f'c{i}' for i in range(len(columns)))})"
    params = {**reader_params(path, fmt, source, columns), "file_id": file_id, "default_model": DEFAULT_MODEL,
              "rows": settings.max_rows_per_file + 1}
    try:  # LIMIT: a file past the row limit (a compression bomb) is read only that far, then refused
        cursor.execute(f"INSERT INTO {schema.table} (file_id, {', '.join(targets)}) "
                       f"SELECT $file_id, {', '.join(values)} FROM {reader} LIMIT $rows", params)
    except duckdb.Error as error:  # a bad value (error() or NOT NULL) or an unreadable file: find the row
        if _disk_full(error):
            raise _full_disk(source) from None
        raise _diagnose(store, path, fmt, columns, conversions, source, error) from None
    rows, first_ts, last_ts = cursor.execute(
        f"SELECT count(*), min(ts), max(ts) FROM {schema.table} WHERE file_id = ?", [file_id]).fetchone()
    if rows == 0:
        raise LogIngestError(f"{source}: no rows (a header or schema only); nothing to ingest")
    if rows > settings.max_rows_per_file:
        raise LogIngestError(f"{source}: more than {settings.max_rows_per_file:,} rows, the limit for one file "
                             f"(LogIngestSettings.max_rows_per_file); split it into several files")
    sha256 = hashed.result()
    if _is_stored(cursor, system, sha256):
        cursor.execute(f"DELETE FROM {schema.table} WHERE file_id = ?", [file_id])
        return IngestedFile(source, 0, None, None, duplicate=True)
    cursor.execute("INSERT INTO log_files (id, system, source_name, content_sha256, row_count, first_ts, last_ts, "
                   "mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [file_id, system, source, sha256, rows, first_ts, last_ts,
                    json.dumps({"format": fmt, "roles": roles})])
    return IngestedFile(source, rows, first_ts, last_ts, duplicate=False)


@dataclass(frozen=True)
class _Conversion:
    """How one source column becomes its stored column: the value, and when a value is bad."""

    index: int
    column: LogColumn
    role: str
    fmt: str
    source: str

    @property
    def src(self) -> str:
        return f"c{self.index}"

    @property
    def read_family(self) -> str:
        """the family of what the value reader delivers: text for CSV and JSON, the file's own type for Parquet"""
        return "text" if self.fmt != "parquet" else type_family(self.column.type)

    def __post_init__(self):
        family = type_family(self.column.type)
        wanted = {"timestamp": ("temporal", "text"), "prediction": ("numeric", "boolean", "text"),
                  "label": ("numeric", "boolean", "text"), "numeric": ("numeric", "boolean", "text")}
        if self.role in wanted and family not in wanted[self.role]:
            what = ("date-times (a timestamp type, or text such as " + _TIMESTAMP_EXAMPLE + ")"
                    if self.role == "timestamp" else "numbers")
            raise LogIngestError(f"{self.source}: column {self.column.name!r} ({self.role}) holds "
                                 f"{self.column.type} values; expected {what}")

    def value(self) -> str:
        """SQL of the stored value; NULL where the source value does not fit (see `bad`)."""
        src, text = self.src, self.read_family == "text"
        trimmed = f"NULLIF(trim({src}), '')"
        if self.role == "timestamp":  # an instant's UTC microseconds: 20x cheaper than ICU's cast to TIMESTAMP
            if text:
                return f"make_timestamp(epoch_us(TRY_CAST({trimmed} AS TIMESTAMPTZ)))"
            zoned = self.column.type.startswith("TIMESTAMP WITH TIME ZONE")
            return f"make_timestamp(epoch_us({src}))" if zoned else f"CAST({src} AS TIMESTAMP)"
        if self.role in ("prediction", "numeric"):
            return f"TRY_CAST({trimmed} AS DOUBLE)" if text else f"CAST({src} AS DOUBLE)"
        if self.role == "label":
            return (f"coalesce(TRY_CAST({trimmed} AS DOUBLE), CAST(TRY_CAST({trimmed} AS BOOLEAN) AS DOUBLE))"
                    if text else f"CAST({src} AS DOUBLE)")
        value = f"NULLIF(CAST({src} AS VARCHAR), '')" if text else f"CAST({src} AS VARCHAR)"
        return f"coalesce({value}, $default_model)" if self.role == "model" else value

    def bad(self) -> str | None:
        """SQL true for a row whose value does not fit; None when every value fits."""
        if self.role == "timestamp":
            return f"({self.value()}) IS NULL"
        if self.role == "prediction":
            return f"NOT coalesce(isfinite({self.value()}), false)"
        if self.role in ("label", "numeric") and self.read_family == "text":
            return f"NULLIF(trim({self.src}), '') IS NOT NULL AND ({self.value()}) IS NULL"
        return None

    def checked(self) -> str:
        """The value, raising DuckDB's error() on a bad one (the insert aborts; `_diagnose` finds the row)."""
        bad = self.bad()
        return self.value() if bad is None else f"CASE WHEN {bad} THEN error('{_BAD_VALUE}') ELSE {self.value()} END"

    def problem(self, row: int, raw: str | None) -> str:
        if raw is None or not raw.strip():
            return f"{self.source}: column {self.column.name!r} ({self.role}): row {row} is empty; every row needs one"
        expected = {"timestamp": f"a date-time such as {_TIMESTAMP_EXAMPLE} (no zone means UTC)",
                    "prediction": "a finite number", "label": "a number or true/false"}.get(self.role, "a number")
        shown = raw if len(raw) <= 60 else raw[:57] + "..."
        numeric = self.role == "numeric"
        hint = f" (or --map {self.column.name}=categorical to store the column as text)" if numeric else ""
        return (f"{self.source}: column {self.column.name!r} ({self.role}): row {row} has {shown!r}; "
                f"expected {expected}{hint}")


def _insert_lists(schema: LogSchema, conversions: list[_Conversion]) -> tuple[list[str], list[str]]:
    """Target columns and value expressions; a log without a model column gets the default model."""
    by_role = {c.role: c for c in conversions if c.role not in FEATURE_ROLES}
    targets, values = [], []
    for role, stored in (("timestamp", "ts"), ("model", "model"), ("segment", "segment"),
                         ("prediction", "prediction"), ("label", "label"), ("action", "action")):
        if role in by_role:
            targets.append(stored)
            values.append(by_role[role].checked())
        elif role == "model":
            targets.append(stored)
            values.append("$default_model")
    for conversion in conversions:
        if conversion.role in FEATURE_ROLES:
            targets.append(schema.feature(conversion.column.name).column)
            values.append(conversion.checked())
    return targets, values


def _diagnose(store, path, fmt, columns, conversions, source, error) -> LogIngestError:
    """The first bad row of the file as a message; DuckDB's own message when no value is to blame."""
    checks = [c for c in conversions if c.bad() is not None]
    reader = f"{VALUE_READERS[fmt]} WITH ORDINALITY AS src({', '.join(f'c{i}' for i in range(len(columns)))}, n)"
    if checks:
        with store.cursor() as cursor:
            cursor.execute("SET TimeZone = 'UTC'")
            found = run_reader(cursor, f"SELECT n, {', '.join(f'({c.bad()})' for c in checks)}, "
                                 f"{', '.join(f'CAST({c.src} AS VARCHAR)' for c in checks)} FROM {reader} "
                                 f"WHERE {' OR '.join(f'({c.bad()})' for c in checks)} ORDER BY n LIMIT 1",
                         reader_params(path, fmt, source, columns), source, fmt).fetchone()
        if found is not None:
            row, flags, raws = found[0], found[1:1 + len(checks)], found[1 + len(checks):]
            index = next(i for i, flag in enumerate(flags) if flag)
            return LogIngestError(checks[index].problem(row, raws[index]))
    return reader_error(source, fmt, error, path)


# -- helpers -----------------------------------------------------------------------------------------------


@contextmanager
def _reporting(cursor, progress: Callable[[float, float], None] | None, before: float, total: float,
               interval: float):
    """Poll the cursor's query progress in a thread while the body runs, reporting `before` + percent of `total`;
    the whole file (before + 100) when it succeeds."""
    if progress is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval):
            percent = cursor.query_progress()
            if percent >= 0:  # -1: no query running
                progress(before + percent, total)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    progress(before + 100.0, total)


def _check_features(schema: LogSchema, features: list[tuple[str, str]], source: str) -> None:
    stored = {f.name: f.kind for f in schema.features}
    given = dict(features)
    if stored == given:
        return
    parts = []
    if new := [n for n in given if n not in stored]:
        parts.append("new " + ", ".join(f"{n!r} ({given[n]})" for n in new))
    if missing := [n for n in stored if n not in given]:
        parts.append("missing " + ", ".join(repr(n) for n in missing))
    if changed := [n for n in given if n in stored and given[n] != stored[n]]:
        parts.append("kind changed for " + ", ".join(f"{n!r} (stored {stored[n]}, now {given[n]})" for n in changed))
    raise LogIngestError(f"{source}: its features differ from the stored log of system {schema.system!r}: "
                         f"{'; '.join(parts)}; map them with --map COLUMN=ROLE (e.g. ignore) to match")


def _is_stored(cursor, system: str, sha256: str) -> bool:
    return cursor.execute("SELECT count(*) FROM log_files WHERE system = ? AND content_sha256 = ?",
                          [system, sha256]).fetchone()[0] > 0


def _sha256(path: Path, source: str, chunk_bytes: int) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(chunk_bytes):
                digest.update(chunk)
    except OSError as error:
        raise LogIngestError(f"{source}: cannot read it: {os_reason(error)}") from None
    return digest.hexdigest()


def _disk_full(error: BaseException) -> bool:
    """DuckDB reports a full disk as an IO error quoting the system's message; Python as ENOSPC."""
    return getattr(error, "errno", None) == errno.ENOSPC or "No space left on device" in str(error)


def _full_disk(source: str) -> LogIngestError:
    return LogIngestError(f"{source}: not stored: no space left on device for the database or its temporary "
                          f"files; nothing was written (free some space and try again)")
