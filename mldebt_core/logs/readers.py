"""How DuckDB reads a prediction log file: its format (from the name), the reader SQL and its parameters, the
columns it sees, and DuckDB's reader errors as one line naming the file.

Readers are SQL fragments with `$path` (and `$delimiter` / `$columns`) parameters; callers rename the columns
positionally, so names from the file never become SQL.
"""

import gzip
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from mldebt_core.logs.errors import LogIngestError
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
    """The format of an existing, non-empty file (named `source` in messages)."""
    fmt = log_format(source)
    if not path.exists():
        raise LogIngestError(f"{source}: no such file")
    if not path.is_file():
        raise LogIngestError(f"{source}: not a file")
    if path.stat().st_size == 0:
        raise LogIngestError(f"{source}: the file is empty")
    return fmt


def describe(cursor, path: Path, fmt: str, source: str) -> tuple[LogColumn, ...]:
    """The file's columns with the types DuckDB's reader gives them."""
    rows = run_reader(cursor, f"DESCRIBE SELECT * FROM {DESCRIBE_READERS[fmt]}", reader_params(path, fmt, source),
                      source, fmt).fetchall()
    return tuple(LogColumn(name, kind) for name, kind, *_ in rows)


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
        raise reader_error(source, fmt, error) from None


def reader_error(source: str, fmt: str, error: Exception) -> LogIngestError:
    """DuckDB's message in one line: its first line without the error class, plus the line saying what was
    expected (a CSV row's field count) or why sniffing failed."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()] or ["unknown error"]
    first = re.sub(r"^[A-Za-z ]*Error: ", "", lines[0])
    detail = next((line for line in lines[1:3] if line.startswith(("Expected", "It was not possible"))), None)
    message = first if detail is None else f"{first} {detail[0].lower()}{detail[1:]}"
    return LogIngestError(f"{source}: cannot read it as {_FORMAT_NAMES[fmt]}: {message}")


def _csv_delimiter(path: Path, source: str) -> str:
    """The delimiter the header line uses most (ties: the earlier in _DELIMITERS, so ',' by default)."""
    try:
        with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as stream:
            header = stream.readline(DEFAULT_LOG_INGEST_SETTINGS.read_chunk_bytes)
    except (OSError, EOFError) as error:
        raise LogIngestError(f"{source}: cannot read it as CSV: {error}") from None
    return max(_DELIMITERS, key=lambda delimiter: header.count(delimiter.encode()))
