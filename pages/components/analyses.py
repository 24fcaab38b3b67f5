"""The log analyses as the pages read them, cached on the system's version: the use cases re-run them through
these caches after a change (a new log, a new limit), so each result is computed once."""

from mldebt_core.feedback.report import SOURCE as FEEDBACK
from mldebt_core.feedback.report import FeedbackOptions, feedback_report, windows_frame
from mldebt_core.monitoring.findings import SOURCE as MONITORING
from mldebt_core.monitoring.view import MonitoringOptions, monitoring_view
from mldebt_core.store import Store
from pages.components.common import cached, version


@cached(max_entries=64)
def monitoring(store: Store, system: str, version: str, options: MonitoringOptions):
    return monitoring_view(store, system, options)


@cached(max_entries=32)
def feedback(store: Store, system: str, version: str, options: FeedbackOptions):
    report = feedback_report(store, system, options)
    return report, windows_frame(report.comparison)


ANALYSES = {MONITORING: lambda store, system: monitoring(store, system, version(system), MonitoringOptions()).findings,
            FEEDBACK: lambda store, system: feedback(store, system, version(system), FeedbackOptions())[0].findings}
"""the log analyses the use cases re-run after a change, through the caches the pages read: computed once"""
