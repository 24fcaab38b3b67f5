"""The one gateway to DuckDB: opens the file, migrates it, hands out cursors, runs parameterised SQL.

Nothing else in mldebt calls `duckdb.connect`. DuckDB 2.0 facts this class is built on
(see the shared streamlit notes, §5):
- one connection object must not be shared by threads: every call here takes its own
  `cursor()` (about 0.3 ms) and closes it;
- concurrent writes can conflict: writes go through `transaction()`, serialised by a lock;
- only one *process* may open a file: a second one gets `DatabaseLockedError` naming the
  holder's PID (the CLI then queues its scan in the inbox, see `store.inbox`).
"""

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from mldebt_core.store.errors import DatabaseLockedError, StoreError
from mldebt_core.store.migrations import MIGRATIONS, SCHEMA_VERSION

MEMORY = ":memory:"
QueryError = duckdb.Error
"""what a query of the store raises when DuckDB refuses it (e.g. a file its reader cannot parse): callers that
turn it into a user's error catch this, so that only the store and the log readers import duckdb"""
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def default_db_path() -> Path:
    """`$MLDEBT_DB`, else `$XDG_DATA_HOME/mldebt/mldebt.duckdb` (XDG_DATA_HOME defaults to ~/.local/share)."""
    explicit = os.environ.get("MLDEBT_DB")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or ""
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "mldebt" / "mldebt.duckdb"


class Store:
    """One DuckDB database (a file, or ":memory:"), at the current schema version once opened."""

    def __init__(self, path: str | Path | None = None):
        if path is None:
            path = default_db_path()
        self.path: Path | str = MEMORY if str(path) == MEMORY else Path(path).expanduser()
        self._write_lock = threading.RLock()
        self._connection = _connect(self.path)
        try:
            self._migrate()
        except BaseException:
            self._connection.close()
            raise

    @property
    def is_file(self) -> bool:
        return self.path != MEMORY

    # -- connections -----------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for the calling thread (close it, or use it as a context manager)."""
        return self._connection.cursor()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reads and writes ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        """Rows of a parameterised query (`?` or `$name` placeholders; values never formatted into SQL)."""
        with self.cursor() as cursor:
            return cursor.execute(sql, params).fetchall()

    def query_value(self, sql: str, params: Sequence | dict = ()):
        """The first column of the first row, or None when there is no row."""
        with self.cursor() as cursor:
            row = cursor.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def query_df(self, sql: str, params: Sequence | dict = ()):
        """A pandas DataFrame of a parameterised query (pandas is imported by DuckDB only here)."""
        with self.cursor() as cursor:
            return cursor.execute(sql, params).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; any exception rolls everything back. Writes are serialised."""
        with self._write_lock, self.cursor() as cursor:
            cursor.begin()
            try:
                yield cursor
            except BaseException:
                cursor.rollback()
                raise
            cursor.commit()

    def table_counts(self) -> dict[str, int]:
        """Rows per table: a cheap fingerprint of the whole database (tests, diagnostics)."""
        names = [row[0] for row in self.query(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name")]
        with self.cursor() as cursor:
            # table names come from the catalog, not from users; identifiers cannot be parameters
            return {name: cursor.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}

    # -- schema ----------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.cursor() as cursor:
            return _schema_version(cursor)

    def _migrate(self) -> None:
        with self.transaction() as cursor:
            version = _schema_version(cursor)
            if version > SCHEMA_VERSION:
                raise StoreError(f"the database {self.path} has schema version {version}, written by a newer "
                                 f"mldebt; this one knows versions up to {SCHEMA_VERSION} (upgrade mldebt)")
            for step in MIGRATIONS[version:]:
                for statement in step:
                    cursor.execute(statement)
            if version < SCHEMA_VERSION:
                cursor.execute("INSERT INTO meta VALUES ('schema_version', ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(SCHEMA_VERSION)])


def _schema_version(cursor: duckdb.DuckDBPyConnection) -> int:
    has_meta = cursor.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    if path == MEMORY:
        return duckdb.connect(MEMORY)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the folder {path.parent} for the database ({error.strerror})") from None
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        message = str(error)
        if "Could not set lock" in message or "Conflicting lock" in message:
            found = _LOCK_PID.search(message)
            raise DatabaseLockedError(path, int(found.group(1)) if found else None) from None
        raise StoreError(f"cannot open the database {path}: {_first_line(message)}") from None
    except duckdb.Error as error:
        raise StoreError(f"cannot open the database {path}: {_first_line(str(error))}") from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
