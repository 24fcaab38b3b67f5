"""Scan JSON in, rows out: size limit, strict parse, validate, then one transaction for the whole insert.

Every refusal is an `IngestError` with one sentence naming the file, the JSON path and
what was expected; nothing is written then. The store accepts only what every page can
render (docs/security.md, "What the store accepts"): strict JSON (`strict_json`), known
finding kinds, non-negative counts, references to listed artifacts and files, a stated
schema version. Re-ingesting a scan already stored (same system, commit and content)
changes nothing and returns the stored scan's id. A write the disk refuses is a
`StoreError` saying so, never blamed on the input.
"""

import errno
import hashlib
import json
from dataclasses import dataclass

import duckdb
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from mldebt_core.scan.schema import SCHEMA_VERSION as SCAN_SCHEMA_VERSION
from mldebt_core.scan.schema import ScanContentError, ScanDocument, check_references, validate_scan
from mldebt_core.settings import DEFAULT_STORE_SETTINGS
from mldebt_core.store import strict_json
from mldebt_core.store.db import Store
from mldebt_core.store.errors import IngestError, StoreError
from mldebt_core.store.tables import CHILD_TABLES, ChildTable

_MAX_SHOWN = 60  # characters of an offending value quoted in an error message


@dataclass(frozen=True)
class IngestResult:
    scan_id: int
    system: str
    created: bool
    """False when the same scan was already stored (nothing was inserted)."""


def parse_scan(data: bytes, source_name: str, max_bytes: int | None = None) -> ScanDocument:
    """Check the size, parse strictly and validate (migrating older scan versions): the one parsing path of the
    upload, the CLI and the inbox; raise IngestError when refused."""
    limit = DEFAULT_STORE_SETTINGS.max_scan_bytes if max_bytes is None else max_bytes
    if len(data) > limit:
        raise too_large(source_name, len(data), limit)
    document = _strict_json(data, source_name)
    if not isinstance(document, dict):
        raise IngestError(f"{source_name}: (top level): expected a JSON object (a scan document), "
                          f"got a JSON {_JSON_TYPE.get(type(document).__name__, type(document).__name__)}")
    try:
        return validate_scan(document)
    except ValidationError as error:
        raise IngestError(_validation_sentence(source_name, error)) from None
    except ScanContentError as error:
        raise IngestError(f"{source_name}: {json_path(error.loc)}: {error.what}") from None


def too_large(source_name: str, size: int | None, limit: int) -> IngestError:
    """The size refusal; `size` is the file's own (stat), None when unknown (standard input)."""
    stated = f"{size:,} bytes is" if size is not None else "it is"
    return IngestError(f"{source_name}: {stated} more than the {limit:,}-byte limit for a scan "
                       f"(setting StoreSettings.max_scan_bytes)")


def _strict_json(data: bytes, source_name: str) -> object:
    encoding = json.detect_encoding(data)
    try:
        text = data.decode(encoding)  # strictly: json.loads(bytes) would let encoded surrogates through
    except UnicodeDecodeError as error:
        raise IngestError(f"{source_name}: not valid {encoding.upper()} text at byte {error.start:,} "
                          f"(a scan is JSON text: UTF-8, -16 or -32)") from None
    try:
        return strict_json.loads(text, DEFAULT_STORE_SETTINGS.max_abs_integer)
    except strict_json.StrictJsonError as error:
        raise IngestError(f"{source_name}: {json_path(error.loc)}: {error.what}") from None
    except json.JSONDecodeError as error:
        raise IngestError(f"{source_name}: not valid JSON at line {error.lineno}, column {error.colno}: "
                          f"{error.msg}") from None
    except RecursionError:
        raise IngestError(f"{source_name}: JSON nested too deeply to be a scan document") from None


def ingest_scan(store: Store, data: bytes, source_name: str, system: str | None = None,
                max_bytes: int | None = None) -> IngestResult:
    """Validate a scan JSON and store it in one transaction (see `ingest_document`)."""
    return ingest_document(store, parse_scan(data, source_name, max_bytes), source_name, system)


def ingest_document(store: Store, document: ScanDocument, source_name: str,
                    system: str | None = None) -> IngestResult:
    """Store a validated scan under `system` (default: the scan's repo.name); idempotent per content."""
    if system is not None and system != document.repo.name:
        document = document.model_copy(update={"repo": document.repo.model_copy(update={"name": system})})
    system = document.repo.name
    if not system.strip():
        raise IngestError(f"{source_name}: repo.name: expected a system name, got an empty string "
                          f"(give one with --system)")
    try:  # again: a document the scanner built here (`scan --ingest`) was not parsed by parse_scan
        check_references(document)
    except ScanContentError as error:
        raise IngestError(f"{source_name}: {json_path(error.loc)}: {error.what}") from None
    try:
        canonical = document.model_dump_json()
    except PydanticSerializationError as error:  # a lone surrogate in a document built here, not parsed
        raise IngestError(f"{source_name}: cannot be stored as UTF-8 text ({error})") from None
    sha256 = hashlib.sha256(canonical.encode()).hexdigest()
    try:
        return _insert(store, document, source_name, system, canonical, sha256)
    except (OSError, duckdb.IOException, duckdb.FatalException) as error:
        raise StoreError(_write_failure(store, source_name, error)) from None


def _insert(store: Store, document: ScanDocument, source_name: str, system: str, canonical: str,
            sha256: str) -> IngestResult:
    with store.transaction() as cursor:
        existing = cursor.execute(
            "SELECT id FROM scans WHERE system = ? AND repo_commit IS NOT DISTINCT FROM ? AND content_sha256 = ?",
            [system, document.repo.commit, sha256]).fetchone()
        if existing:
            return IngestResult(existing[0], system, created=False)
        scan_id = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM scans").fetchone()[0]
        cursor.execute("INSERT OR IGNORE INTO systems (name) VALUES (?)", [system])
        cursor.execute(
            "INSERT INTO scans (id, system, repo_commit, branch, scanned_at, tool_version, schema_version, "
            "content_sha256, source_name, document, code_health) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [scan_id, system, document.repo.commit, document.repo.branch, document.repo.scanned_at,
             document.tool.version, document.schema_version, sha256, source_name, canonical,
             document.code_health.model_dump_json()])
        for table in CHILD_TABLES:
            _insert_rows(cursor, table, scan_id, document, source_name)
    return IngestResult(scan_id, system, created=True)


def _insert_rows(cursor, table: ChildTable, scan_id: int, document: ScanDocument, source_name: str) -> None:
    """One bulk insert of a column-oriented Arrow table of all the rows (nothing when there are none)."""
    import pyarrow as pa

    rows = list(table.rows(document))
    if not rows:
        return
    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "list<string>": pa.list_(pa.string())}
    try:
        columns = {name: pa.array(values, type=types[kind])
                   for (name, kind), values in zip(table.columns, zip(*rows, strict=True), strict=True)}
    except (OverflowError, pa.ArrowException) as error:
        raise IngestError(f"{source_name}: {table.name}: a value cannot be stored "
                          f"(numbers must fit in 64 bits): {error}") from None
    columns["scan_id"] = pa.array([scan_id] * len(rows), type=pa.int32())
    physical_order = cursor.table(table.name).columns  # as the migrations left it (ALTERs append)
    try:
        cursor.from_arrow(pa.table({name: columns[name] for name in physical_order})).insert_into(table.name)
    except (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidInputException) as error:
        raise IngestError(f"{source_name}: {table.name}: a value cannot be stored: "
                          f"{str(error).strip().splitlines()[0]}") from None


def _write_failure(store: Store, source_name: str, error: Exception) -> str:
    """The disk's refusal in words: a full disk says so (the scan was fine), anything else is DuckDB's first line."""
    text = str(error).strip()
    if getattr(error, "errno", None) == errno.ENOSPC or "No space left on device" in text:
        return (f"cannot store {source_name}: the disk holding the database {store.path} is full (No space left "
                f"on device); nothing was stored: free some space and store it again")
    first = text.splitlines()[0] if text else type(error).__name__
    return f"cannot store {source_name}: the database {store.path} refused the write ({first}); nothing was stored"


def _validation_sentence(source_name: str, error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    first = problems[0]
    where = json_path(first["loc"])
    if first["loc"] == ("schema_version",):
        what = (f"unknown scan schema version {_shown(first.get('input'))}; this mldebt reads versions "
                f"1 to {SCAN_SCHEMA_VERSION}" if first["type"] != "missing" else
                f"missing; a scan document states its schema version (1 to {SCAN_SCHEMA_VERSION})")
    elif first["type"] == "missing":
        what = "required field is missing"
    elif first["type"] == "extra_forbidden":
        what = "not a field of a scan document"
    elif first["type"] == "value_error":  # a validator's own sentence (an unknown kind)
        what = first["msg"].removeprefix("Value error, ")
    elif first["type"] == "greater_than_equal":  # counts: a negative one would be drawn as such
        what = f"expected {first['ctx']['ge']} or more, got {_shown(first.get('input'))}"
    else:
        what = f"{first['msg'].replace('Input should be', 'expected')}, got {_shown(first.get('input'))}"
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{source_name}: {where}: {what}{more}"


def json_path(loc: tuple) -> str:
    """('findings', 3, 'severity') -> 'findings[3].severity'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _shown(value) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN - 1] + "…"


_JSON_TYPE = {"list": "array", "str": "string", "int": "number", "float": "number", "bool": "boolean",
              "NoneType": "null"}

