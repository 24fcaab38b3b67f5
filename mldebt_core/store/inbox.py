"""The inbox: scans handed over by a second process while another one holds the database.

DuckDB lets one process open a file. When another process holds it, `mldebt ingest-scan`
validates the scan, writes it into `<database>.inbox/` (temporary file + rename, so a
reader never sees half a file) and stops; the process holding the database calls
`ingest_inbox` (the app does on every run) to store and remove the queued files. A
queued file that is refused moves to `<inbox>/rejected/` with a `.error.txt` beside it.
"""

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mldebt_core.scan.schema import ScanDocument
from mldebt_core.settings import DEFAULT_STORE_SETTINGS
from mldebt_core.store.db import Store
from mldebt_core.store.errors import IngestError, StoreError
from mldebt_core.store.ingest import IngestResult, ingest_scan

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class InboxOutcome:
    file: str
    result: IngestResult | None
    error: str | None = None
    """The refusal, when the file moved to rejected/."""


def inbox_path(db_path: Path) -> Path:
    return Path(f"{db_path}{DEFAULT_STORE_SETTINGS.inbox_suffix}")


def queue_scan(db_path: Path, document: ScanDocument, source_name: str, system: str | None = None) -> Path:
    """Write a validated scan into the database's inbox atomically; return the queued file's path."""
    if system is not None and system != document.repo.name:
        document = document.model_copy(update={"repo": document.repo.model_copy(update={"name": system})})
    inbox = inbox_path(db_path)
    stem = _UNSAFE.sub("_", Path(source_name).stem)[:60] or "scan"
    name = f"{time.time_ns():020d}-{os.getpid()}-{stem}.json"
    try:
        inbox.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=inbox, prefix=".", suffix=".tmp",
                                         delete=False) as handle:
            handle.write(document.model_dump_json())
        os.replace(handle.name, inbox / name)
    except OSError as error:
        raise StoreError(f"cannot queue {source_name} in {inbox} ({error.strerror})") from None
    return inbox / name


def queued_files(db_path: Path) -> list[Path]:
    """Queued scans, oldest first (names start with a nanosecond time stamp; temporary files are hidden)."""
    inbox = inbox_path(db_path)
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.suffix == ".json" and not p.name.startswith(".") and p.is_file())


def ingest_inbox(store: Store) -> list[InboxOutcome]:
    """Store every queued scan and remove it; refused ones move to rejected/ with the reason beside them."""
    if not store.is_file:
        return []
    outcomes = []
    for path in queued_files(store.path):
        try:
            result = ingest_scan(store, path.read_bytes(), path.name)
        except IngestError as error:
            _reject(path, str(error))
            outcomes.append(InboxOutcome(path.name, None, str(error)))
            continue
        except FileNotFoundError:  # taken by another caller in this process meanwhile
            continue
        path.unlink(missing_ok=True)
        outcomes.append(InboxOutcome(path.name, result))
    return outcomes


def _reject(path: Path, reason: str) -> None:
    rejected = path.parent / "rejected"
    rejected.mkdir(exist_ok=True)
    (rejected / f"{path.name}.error.txt").write_text(reason + "\n", encoding="utf-8")
    os.replace(path, rejected / path.name)
