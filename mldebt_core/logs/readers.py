"""How DuckDB reads a prediction log file: its format (from the name), the reader SQL and its parameters, the
columns it sees, and DuckDB's reader errors as one line naming the file.

Readers are SQL fragments with `$path` (and `$delimiter` / `$columns`) parameters; callers rename the columns
positionally, so names from the file never become SQL.
"""

import csv
import gzip
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from mldebt_core.logs.errors import LogIngestError
from mldebt_core.logs.inputs import check_input, os_reason
from mldebt_core.logs.roles import LogColumn
from mldebt_core.settings import DEFAULT_LOG_INGEST_SETTINGS

_FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "json",
            ".ndjson": "json", ".json": "json"}
_FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "json": "JSON Lines"}
# CSV: a header row first, RFC 4180 quoting, the delimiter the header line uses, no comment lines. A dialect
# given in full makes DuckDB report a ragged row by its line instead of sniffing the file as one column,
# skipping lines or dropping rows that start with '#'.
_CSV = "read_csv($path, header = true, skip = 0, delim = $delimiter, quote = '\"', escape = '\"', comment = ''"
DESCRIBE_READERS = {"csv": _CSV + ")", "parquet": "read_parquet($path)", "json": "read_json($path, format = 'auto')"}
"""each format's reader with the types it detects (CSV: sniffed from a sample)"""
VALUE_READERS = {"csv": _CSV + ", all_varchar = true)", "parquet": "read_parquet($path)",
                 "json": "read_json($path, format = 'auto', columns = $columns)"}
"""each format's reader for the insert: CSV and JSON as text (converted by role), Parquet with its own types"""
_DELIMITERS = (",", ";", "\t", "|")


def log_format(name: str) -> str:
    """'csv', 'parquet' or 'json' from the file name (a trailing .gz is allowed for CSV and JSON Lines)."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    compressed = suffixes[-1:] == [".gz"]
    if compressed:
        suffixes.pop()
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None or (compressed and fmt == "parquet"):
        raise LogIngestError(f"{name}: unknown log format; expected a name ending in .csv, .parquet, .jsonl or "
                             f".ndjson (.csv.gz and .jsonl.gz for gzip)")
    return fmt


def checked_format(path: Path, source: str) -> str:
    """The format of a regular, non-empty file reached through no link out of its folder (see `inputs`);
    `source` names it in messages."""
    fmt = log_format(source)
    check_input(path, source)
    return fmt


def describe(cursor, path: Path, fmt: str, source: str,
             sample_rows: int = DEFAULT_LOG_INGEST_SETTINGS.kind_sample_rows) -> tuple[LogColumn, ...]:
    """The file's columns with the types DuckDB's reader gives them; a text column of CSV or JSON whose sampled
    values are mostly numbers is DOUBLE (see `_mostly_numbers`). Refuses duplicate column names."""
    _check_unique(cursor, path, fmt, source, sample_rows)
    rows = run_reader(cursor, f"DESCRIBE SELECT * FROM {DESCRIBE_READERS[fmt]}", reader_params(path, fmt, source),
                      source, fmt).fetchall()
    columns = tuple(LogColumn(name, kind) for name, kind, *_ in rows)
    numeric = _mostly_numbers(cursor, path, fmt, source, columns, sample_rows) if fmt != "parquet" else set()
    return tuple(LogColumn(c.name, "DOUBLE") if c.name in numeric else c for c in columns)


def reader_params(path: Path, fmt: str, source: str, columns: Sequence[LogColumn] | None = None) -> dict:
    """The parameters of a reader: the path; CSV's delimiter; with `columns`, the text columns JSON is read as."""
    params = {"path": str(path)}
    if fmt == "csv":
        params["delimiter"] = _csv_delimiter(path, source)
    if fmt == "json" and columns is not None:
        params["columns"] = {column.name: "VARCHAR" for column in columns}
    return params


def run_reader(cursor, sql: str, params: dict, source: str, fmt: str):
    """`cursor.execute`, with DuckDB's errors as a LogIngestError naming the file."""
    try:
        return cursor.execute(sql, params)
    except duckdb.Error as error:
        raise reader_error(source, fmt, error, params.get("path")) from None


def reader_error(source: str, fmt: str, error: Exception, path: str | Path | None = None) -> LogIngestError:
    """DuckDB's message in one line: its first line without the error class, plus the line saying what was
    expected (a CSV row's field count) or why sniffing failed. The path DuckDB read (for an upload, a staging
    path on the server) is shown as `source`, the name the user knows."""
    text = str(error) if path is None else str(error).replace(str(path), source)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()] or ["unknown error"]
    first = re.sub(r"^[A-Za-z ]*Error: ", "", lines[0])
    detail = next((line for line in lines[1:3] if line.startswith(("Expected", "It was not possible"))), None)
    message = first if detail is None else f"{first} {detail[0].lower()}{detail[1:]}"
    return LogIngestError(f"{source}: cannot read it as {_FORMAT_NAMES[fmt]}: {message}")


def _csv_header(path: Path, source: str) -> bytes:
    """The first line, up to `read_chunk_bytes`."""
    try:
        with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as stream:
            return stream.readline(DEFAULT_LOG_INGEST_SETTINGS.read_chunk_bytes)
    except OSError as error:  # gzip.BadGzipFile too
        reason = os_reason(error) if error.errno else str(error)
        raise LogIngestError(f"{source}: cannot read it as CSV: {reason}") from None
    except EOFError:
        raise LogIngestError(f"{source}: cannot read it as CSV: the compressed file ends early") from None


def _csv_delimiter(path: Path, source: str) -> str:
    """The delimiter the header line uses most (ties: the earlier in _DELIMITERS, so ',' by default)."""
    header = _csv_header(path, source)
    return max(_DELIMITERS, key=lambda delimiter: header.count(delimiter.encode()))


# -- column names as the file spells them, and kinds the sample shows ---------------------------------------


def _check_unique(cursor, path: Path, fmt: str, source: str, sample_rows: int) -> None:
    """Two columns whose names differ only in case or surrounding spaces are one name to DuckDB, which would
    rename the second (`prediction_1`) and store it as a feature: refused, naming both."""
    seen: dict[str, str] = {}
    for name in _raw_names(cursor, path, fmt, source, sample_rows):
        key = name.strip().casefold()
        if key in seen:
            raise LogIngestError(f"{source}: duplicate column name: {seen[key]!r} and {name!r} (names must differ "
                                 f"other than in case and surrounding spaces); rename one")
        seen[key] = name


def _raw_names(cursor, path: Path, fmt: str, source: str, sample_rows: int) -> list[str]:
    """CSV: the header's fields; Parquet: the schema's top-level names; JSON: every key of each sampled object."""
    if fmt == "csv":
        header = _csv_header(path, source).decode("utf-8", "replace").rstrip("\r\n")
        try:
            return next(csv.reader([header], delimiter=_csv_delimiter(path, source)), [])
        except csv.Error as error:  # e.g. a bare carriage return inside an unquoted column name
            raise LogIngestError(f"{source}: the header line is not valid CSV ({error}); quote odd column "
                                 "names") from None
    if fmt == "parquet":
        rows = run_reader(cursor, "SELECT name, coalesce(num_children, 0) FROM parquet_schema($path)",
                          {"path": str(path)}, source, fmt).fetchall()
        return _top_level(rows)
    objects = run_reader(cursor, "SELECT json_keys(json) FROM read_json_objects($path) LIMIT $rows",
                         {"path": str(path), "rows": sample_rows}, source, fmt).fetchall()
    names: dict[str, None] = {}
    for (keys,) in objects:
        keys = keys or []
        if len({key.strip().casefold() for key in keys}) < len(keys):  # one object with a key twice
            return keys
        names.update(dict.fromkeys(keys))
    return list(names)


def _top_level(schema: list[tuple[str, int]]) -> list[str]:
    """The root's children in parquet_schema's depth-first listing (nested fields are skipped)."""
    names, position = [], 1
    for _ in range(schema[0][1] if schema else 0):
        names.append(schema[position][0])
        pending = schema[position][1]
        position += 1
        while pending:  # skip the subtree under this field
            pending += schema[position][1] - 1
            position += 1
    return names


def _mostly_numbers(cursor, path: Path, fmt: str, source: str, columns: tuple[LogColumn, ...],
                    sample_rows: int) -> set[str]:
    """Text columns (CSV, JSON) more than half of whose non-empty sampled values are numbers: read as numbers,
    so an odd value is refused by its row wherever it is, never turning the column into text because it
    happened to fall in the sniffer's sample (a small file's last row) — see docs/monitoring.md."""
    text = [i for i, column in enumerate(columns) if column.type in ("VARCHAR", "JSON")]  # JSON: mixed values
    if not text:
        return set()
    value = "NULLIF(trim(c{i}), '')"
    counts = ", ".join(f"count({value.format(i=i)}), count(TRY_CAST({value.format(i=i)} AS DOUBLE))" for i in text)
    reader = f"{VALUE_READERS[fmt]} AS src({', '.join(f'c{i}' for i in range(len(columns)))})"
    found = run_reader(cursor, f"SELECT {counts} FROM (SELECT * FROM {reader} LIMIT $rows)",
                       {**reader_params(path, fmt, source, columns), "rows": sample_rows}, source, fmt).fetchone()
    return {columns[i].name for n, i in enumerate(text) if 2 * found[2 * n + 1] > found[2 * n] > 0}
