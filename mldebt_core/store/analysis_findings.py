"""Findings of the analyses over prediction logs and feature tables (monitoring, feedback, ablation).

Scan findings belong to a scan; these belong to a system and to the analysis (`source`) that
produced them. Recording replaces that source's earlier findings for the system, in one
transaction, so the list always reflects the latest result of each analysis; when each finding
was first recorded is kept apart (`analysis_first_seen`), so a debt keeps its age.
"""

import json
from dataclasses import dataclass, field

from mldebt_core.scan.findings import finding_id
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS
from mldebt_core.store.db import Store
from mldebt_core.taxonomy import KINDS, Severity

MAX_EVIDENCE_WINDOWS = 50
"""windows; a finding's evidence lists at most this many (the analyses always give their count too)"""


def evidence_windows(starts) -> list:
    """The first MAX_EVIDENCE_WINDOWS window starts of a pandas Series, for a finding's evidence."""
    return starts.head(MAX_EVIDENCE_WINDOWS).tolist()


@dataclass(frozen=True)
class AnalysisFinding:
    kind: str
    """a kind of the taxonomy, e.g. 'monitoring_gap', 'hidden_feedback_loop', 'underutilized_data_dependency'"""
    location: str
    """what it is about, e.g. 'feature:tenure_days', 'model:churn-v2/segment:treatment'"""
    anchor: str
    """what makes it this finding across runs (e.g. 'psi:tenure_days'); never a value or a date"""
    message: str
    evidence: dict = field(default_factory=dict)
    severity: str | None = None
    """None: the kind's default severity"""

    @property
    def id(self) -> str:
        return finding_id(self.kind, self.location, self.anchor)


def record_findings(store: Store, system: str, source: str, findings: list[AnalysisFinding]) -> None:
    rows = [(system, source, f.id, f.kind, KINDS[f.kind].paper_section,
             f.severity or DEFAULT_SCAN_SETTINGS.severities.get(f.kind, Severity.MEDIUM).value,
             f.location, f.message, json.dumps(f.evidence, default=str)) for f in findings]
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM analysis_findings WHERE system = ? AND source = ?", [system, source])
        if rows:
            cursor.executemany("INSERT INTO analysis_findings (system, source, finding_id, kind, paper_section, "
                               "severity, location, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            cursor.execute("INSERT OR IGNORE INTO analysis_first_seen SELECT system, finding_id, min(recorded_at) "
                           "FROM analysis_findings WHERE system = ? AND source = ? GROUP BY ALL", [system, source])


def analysis_findings(store: Store, system: str, source: str | None = None):
    """A DataFrame of the system's analysis findings (of one source, or all), most severe first."""
    return store.query_df(
        "SELECT source, finding_id, kind, paper_section, severity, location, message, evidence, recorded_at "
        "FROM analysis_findings WHERE system = $system AND ($source IS NULL OR source = $source) "
        "ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, "
        "kind, location", {"system": system, "source": source})
