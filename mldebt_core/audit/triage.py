"""A team's decision about a finding: status, owner and note, kept by stable id so it survives re-scans.

Triage is append-only (`triage_events`): the latest row of a finding is its triage now, the earlier rows are its
history. Accepting a debt or deciding not to fix it needs a reason, given as the note.
"""

from dataclasses import dataclass

from mldebt_core.errors import MldebtError
from mldebt_core.store import Store

STATUSES = ("open", "accepted", "wont_fix", "fixed")
"""open: to be paid down; accepted: a debt taken on knowingly; wont_fix: not worth paying down; fixed: paid down
(a fixed debt the next scan still finds shows as 'fixed, still detected')"""
NEEDS_REASON = ("accepted", "wont_fix")


class TriageError(MldebtError):
    """A triage that cannot be stored: unknown finding or status, or a missing reason."""


@dataclass(frozen=True)
class Triage:
    finding_id: str
    status: str
    owner: str
    note: str
    author: str


def set_triage(store: Store, system: str, finding_id: str, status: str, owner: str = "", note: str = "",
               author: str = "") -> Triage:
    """Store the triage of one of the system's findings (a finding of any of its scans or analyses)."""
    status, owner, note, author = status.strip(), owner.strip(), note.strip(), author.strip()
    if status not in STATUSES:
        raise TriageError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
    if status in NEEDS_REASON and not note:
        raise TriageError(f"status {status}: give the reason as the note (why this debt is {status.replace('_', ' ')})")
    if system not in systems_with(store, finding_id):
        raise TriageError(f"finding {finding_id!r}: no scan or analysis of system {system!r} has it")
    with store.transaction() as cursor:
        cursor.execute("INSERT INTO triage_events (system, finding_id, status, owner, note, author) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [system, finding_id, status, owner, note, author])
    return Triage(finding_id, status, owner, note, author)


def systems_with(store: Store, finding_id: str) -> list[str]:
    """The systems that have the finding in one of their scans or analyses, by name."""
    return [row[0] for row in store.query(
        "SELECT s.system FROM findings f JOIN scans s ON s.id = f.scan_id WHERE f.finding_id = $id "
        "UNION SELECT system FROM analysis_findings WHERE finding_id = $id ORDER BY 1", {"id": finding_id})]


def triage_history(store: Store, system: str, finding_id: str):
    """DataFrame (recorded_at, status, owner, note, author) of a finding's triage, newest first."""
    return store.query_df(
        "SELECT recorded_at, status, owner, note, author FROM triage_events WHERE system = ? AND finding_id = ? "
        "ORDER BY recorded_at DESC, rowid DESC", [system, finding_id])


CURRENT_TRIAGE_SQL = """
    SELECT finding_id, status, owner, note, author, recorded_at AS triaged_at FROM triage_events
    WHERE system = $system QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY recorded_at DESC, rowid DESC) = 1
"""
"""the triage now of each finding of `$system` (a subquery the debts list joins)"""
