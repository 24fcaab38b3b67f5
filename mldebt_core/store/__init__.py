"""The DuckDB store: one file holding every system's scans (see docs/store.md).

`Store` is the only code that talks to DuckDB; `ingest` validates and stores scans in
one transaction; `inbox` hands scans over from a second process; `scan_rows` reads a stored
scan's rows as frozen records (graphs, analyses); `queries` reads DataFrames for the pages.
Importing this package imports duckdb: the CLI imports it lazily, inside commands.
"""

from mldebt_core.store.db import Store, default_db_path
from mldebt_core.store.errors import DatabaseLockedError, IngestError, StoreError
from mldebt_core.store.inbox import inbox_path, ingest_inbox, queue_scan
from mldebt_core.store.ingest import IngestResult, ingest_document, ingest_scan, parse_scan

__all__ = ["DatabaseLockedError", "IngestError", "IngestResult", "Store", "StoreError", "default_db_path",
           "inbox_path", "ingest_document", "ingest_inbox", "ingest_scan", "parse_scan", "queue_scan"]
