"""Storing prediction logs: the files in one transaction, then the log analyses re-run with the defaults."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mldebt_core.logs.ingest import LogIngestResult, ingest_logs
from mldebt_core.store import Store
from mldebt_core.usecases.findings import LOG_ANALYSES, Analyses, Recorded, refresh_log_findings


@dataclass(frozen=True)
class LogStored:
    ingest: LogIngestResult
    recorded: tuple[Recorded, ...]
    """the log analyses' findings after the new rows (none when every file was a duplicate)"""


def store_log(store: Store, system: str, files: Sequence[str | Path], overrides: Mapping[str, str] | None = None,
              names: Sequence[str] | None = None, progress: Callable[[float, float], None] | None = None,
              analyses: Analyses = LOG_ANALYSES) -> LogStored:
    """Append log files to `system`'s log (see `logs.ingest.ingest_logs`), then refresh the log findings."""
    result = ingest_logs(store, system, files, overrides, names, progress)
    changed = result.rows_added > 0
    return LogStored(result, tuple(refresh_log_findings(store, result.system, None, analyses)) if changed else ())
