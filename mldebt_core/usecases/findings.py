"""The one rule for recording the findings of the analyses (see the package docstring and docs/findings.md).

`record` stores a run's findings when the run used the system's defaults; `refresh_log_findings` re-runs the
analyses of a system's log with the defaults after something they read changed. An analysis that cannot run on
the log as it is now (a log without segments has no holdout to compare) records no findings, so none of its
earlier ones outlive the data they came from.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mldebt_core.errors import MldebtError
from mldebt_core.feedback.report import SOURCE as FEEDBACK
from mldebt_core.feedback.report import feedback_report
from mldebt_core.logs.table import load_log_schema
from mldebt_core.monitoring.findings import SOURCE as MONITORING
from mldebt_core.monitoring.view import monitoring_view
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings

Analyses = Mapping[str, Callable[[Store, str], Sequence[AnalysisFinding]]]
"""source -> the findings of that analysis run with the system's defaults"""
LOG_ANALYSES: Analyses = {
    MONITORING: lambda store, system: monitoring_view(store, system).findings,
    FEEDBACK: lambda store, system: feedback_report(store, system).findings,
}
"""the analyses that read a system's log; a caller may pass its own (the dashboard passes the same analyses
through its caches, so that what a refresh computes is what the pages show next, computed once)"""


@dataclass(frozen=True)
class Recorded:
    source: str
    findings: int
    """how many findings the run recorded"""
    skipped: str | None = None
    """why the analysis could not run (then it recorded none)"""

    def describe(self) -> str:
        if self.skipped is not None:
            return f"{self.source}: no findings ({self.skipped})"
        return f"{self.source}: {self.findings} finding(s)"


def record(store: Store, system: str, source: str, findings: tuple[AnalysisFinding, ...] | list[AnalysisFinding],
           default: bool) -> Recorded | None:
    """Record a run's findings when it ran with the system's defaults (`default`); None when it did not."""
    if not default:
        return None
    record_findings(store, system, source, list(findings))
    return Recorded(source, len(findings))


def refresh_log_findings(store: Store, system: str, sources: Sequence[str] | None = None,
                         analyses: Analyses = LOG_ANALYSES) -> list[Recorded]:
    """Re-run the log analyses of `sources` (None: all of them) with the system's defaults and record their
    findings (nothing when the system has no log)."""
    if load_log_schema(store, system) is None:
        return []
    outcomes = []
    for source in sources or list(analyses):
        try:
            findings = analyses[source](store, system)
        except MldebtError as error:
            record_findings(store, system, source, [])
            outcomes.append(Recorded(source, 0, str(error)))
        else:
            record_findings(store, system, source, list(findings))
            outcomes.append(Recorded(source, len(findings)))
    return outcomes
