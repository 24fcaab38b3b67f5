"""A fingerprint of what the analyses of a system read: the key under which the dashboard caches what it shows.

It changes whenever a scan, a log file, an action limit, a feature source, a reference profile or an ablation run
of the system is added, changed or removed, and only then; so a result cached under it is never stale, and asking
again for what was shown before costs nothing. Recorded findings are not part of it: recording them changes no
analysis's result.
"""

from mldebt_core.store.db import Store

_PARTS = (("scans", "list(id ORDER BY id)"), ("log_files", "list(id ORDER BY id)"),
          ("action_limits", "list(id ORDER BY id)"),
          ("feature_sources", "list(feature || '=' || artifact ORDER BY feature)"),
          ("reference_profiles", "list(name || '@' || created_at ORDER BY name)"), ("ablation_runs", "max(id)"))
"""(table, what of the system's rows identifies their state); the tables are the store's own, never user text"""


_AUDIT_PARTS = (("analysis_findings", "max(recorded_at)"), ("analysis_findings", "count(*)"),
                ("triage_events", "count(*)"), ("checklist_answers", "count(*)"), ("test_score_answers", "count(*)"),
                ("retrospectives", "count(*)"))
"""what else the audit reads: the recorded findings, and the team's triage, answers and retrospectives (each
append-only, so its count is its state)"""


def system_version(store: Store, system: str) -> str:
    with store.cursor() as cursor:
        return repr([cursor.execute(f"SELECT {state} FROM {table} WHERE system = ?", [system]).fetchone()[0]
                     for table, state in _PARTS])


def audit_version(store: Store, system: str) -> str:
    """The system's version and the state of its recorded findings, triage, answers and retrospectives: the key
    of what the audit shows."""
    with store.cursor() as cursor:
        return system_version(store, system) + repr([
            cursor.execute(f"SELECT {state} FROM {table} WHERE system = ?", [system]).fetchone()[0]
            for table, state in _AUDIT_PARTS])
