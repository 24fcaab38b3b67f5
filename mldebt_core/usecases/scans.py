"""Storing scans, from a file, an upload or the inbox: the scan in one transaction, then, for a system with a
prediction log, the log analyses re-run (their findings name the scanned sources and the models they feed)."""

from mldebt_core.scan.schema import ScanDocument
from mldebt_core.store import IngestResult, Store, ingest_document, ingest_inbox, parse_scan
from mldebt_core.store.inbox import InboxOutcome
from mldebt_core.usecases.findings import LOG_ANALYSES, Analyses, refresh_log_findings


def store_scan(store: Store, scan: bytes | ScanDocument, source: str, system: str | None = None,
               analyses: Analyses = LOG_ANALYSES) -> IngestResult:
    """Validate (bytes) and store a scan under `system` (default: its repo.name); a new scan refreshes the system's
    log findings."""
    document = parse_scan(scan, source) if isinstance(scan, bytes) else scan
    result = ingest_document(store, document, source, system)
    if result.created:
        refresh_log_findings(store, result.system, None, analyses)
    return result


def store_queued_scans(store: Store, analyses: Analyses = LOG_ANALYSES) -> list[InboxOutcome]:
    """Store the scans queued in the database's inbox (see `store.inbox`), then refresh the systems they changed."""
    outcomes = ingest_inbox(store)
    for system in sorted({o.result.system for o in outcomes if o.result is not None and o.result.created}):
        refresh_log_findings(store, system, None, analyses)
    return outcomes
