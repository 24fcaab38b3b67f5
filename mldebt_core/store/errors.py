"""User errors of the store: each carries one sentence fit to print (see mldebt_core.errors)."""

from pathlib import Path

from mldebt_core.errors import MldebtError


class StoreError(MldebtError):
    """The database cannot be opened or used (a newer schema, a damaged file, a refused write)."""


class DatabaseLockedError(StoreError):
    """Another process holds the DuckDB file (DuckDB allows one process per file)."""

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        holder = f"process {pid}" if pid is not None else "another process"
        super().__init__(f"the database {path} is open in {holder}; DuckDB lets one process use a file at a time: "
                         f"stop that process (another dashboard or mldebt command) or use another database "
                         f"(MLDEBT_DB or --db)")


class IngestError(MldebtError):
    """A scan document was refused: too large, not JSON, or not a valid scan. Nothing was written."""
