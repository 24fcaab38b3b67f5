"""The inbox: scans handed over by a second process while another one holds the database.

DuckDB lets one process open a file. When another process holds it, `mldebt ingest-scan`
validates the scan, writes it into `<database>.inbox/` (temporary file + rename, so a
reader never sees half a file) and stops; the process holding the database calls
`ingest_inbox` (the app does on every run) to store and remove the queued files. A
queued file that is refused moves to `<inbox>/rejected/` with a `.error.txt` beside it, and
its outcome says so (the app shows it on that page load, the CLI prints it). A file the
database cannot take (a full disk) stays queued for the next run. Temporary files of a
killed writer are removed once stale (StoreSettings.stale_inbox_temp_seconds).
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
    """The refusal, when the file moved to rejected/ (or stayed queued: see `kept`)."""
    kept: bool = False
    """True when the database, not the scan, failed (a full disk): the file stays queued for the next run."""

    def report(self, inbox: Path) -> str | None:
        """One sentence for the user about a queued scan that was not stored, else None."""
        if self.error is None:
            return None
        if self.kept:
            return f"queued scan {self.file} stays in {inbox} for the next page load: {self.error}"
        return f"queued scan {self.file} was refused and moved to {inbox / 'rejected'}: {self.error}"


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
    try:
        return sorted(p for p in inbox.iterdir()
                      if p.suffix == ".json" and not p.name.startswith(".") and p.is_file())
    except OSError:  # no inbox (the usual case), or one this process may not read: nothing queued for it
        return []


def ingest_inbox(store: Store) -> list[InboxOutcome]:
    """Store every queued scan and remove it; refused ones move to rejected/ with the reason beside them."""
    if not store.is_file:
        return []
    _remove_stale_temporaries(inbox_path(store.path))
    outcomes = []
    for path in queued_files(store.path):
        try:
            result = ingest_scan(store, path.read_bytes(), path.name)
        except FileNotFoundError:  # taken by another caller in this process meanwhile
            continue
        except (IngestError, OSError) as error:  # the scan, or a queued file no one can read
            reason = str(error) if isinstance(error, IngestError) else f"{path.name}: cannot read ({error.strerror})"
            outcomes.append(InboxOutcome(path.name, None, _reject(path, reason)))
            continue
        except StoreError as error:  # the database's failure, not the scan's: later files would fail alike
            outcomes.append(InboxOutcome(path.name, None, str(error), kept=True))
            break
        path.unlink(missing_ok=True)
        outcomes.append(InboxOutcome(path.name, result))
    return outcomes


def _reject(path: Path, reason: str) -> str:
    """Move a refused file to rejected/ with its reason beside it; the reason, and why it could not move."""
    rejected = path.parent / "rejected"
    try:
        rejected.mkdir(exist_ok=True)
        (rejected / f"{path.name}.error.txt").write_text(reason + "\n", encoding="utf-8")
        os.replace(path, rejected / path.name)
    except OSError as error:
        return f"{reason} (and it cannot move to {rejected}: {error.strerror})"
    return reason


def _remove_stale_temporaries(inbox: Path) -> None:
    """Hidden temporary files (`.tmp`, `.*.tmp`, empty or half written) left by a writer killed before its
    rename."""
    stale_before = time.time() - DEFAULT_STORE_SETTINGS.stale_inbox_temp_seconds
    try:
        leftovers = [p for p in inbox.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")
                     and p.is_file() and p.stat().st_mtime < stale_before]
        for path in leftovers:
            path.unlink(missing_ok=True)
    except OSError:  # another process removed it first, or may not: it is only hidden clutter
        pass
