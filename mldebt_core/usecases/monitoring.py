"""Monitoring use cases: run the analysis (recording its findings with the defaults), and change what it watches
(action limits, feature sources), after which its findings are refreshed."""

from collections.abc import Mapping
from dataclasses import dataclass

from mldebt_core.monitoring.findings import SOURCE
from mldebt_core.monitoring.limits import ActionLimit, delete_limit, save_limit
from mldebt_core.monitoring.producers import link_source, unlink_source
from mldebt_core.monitoring.view import MonitoringOptions, MonitoringView, monitoring_view
from mldebt_core.store import Store
from mldebt_core.usecases.findings import LOG_ANALYSES, Analyses, Recorded, record, refresh_log_findings


@dataclass(frozen=True)
class MonitoringRun:
    view: MonitoringView
    recorded: Recorded | None
    """None: the run used other options than the defaults, so it recorded nothing"""


def run_monitoring(store: Store, system: str, options: MonitoringOptions = MonitoringOptions()) -> MonitoringRun:
    """Bias, drift, limits and producers of `system`'s log; with the defaults, its findings are recorded."""
    view = monitoring_view(store, system, options)
    return MonitoringRun(view, record(store, system, SOURCE, view.findings, options.is_default))


def add_limit(store: Store, system: str, limit: ActionLimit, analyses: Analyses = LOG_ANALYSES) -> ActionLimit:
    """Store an action limit (returned with its id) and refresh the monitoring findings."""
    saved = save_limit(store, system, limit)
    refresh_log_findings(store, system, (SOURCE,), analyses)
    return saved


def remove_limit(store: Store, system: str, limit_id: int, analyses: Analyses = LOG_ANALYSES) -> ActionLimit:
    """Delete an action limit (returned) and refresh the monitoring findings."""
    removed = delete_limit(store, system, limit_id)
    refresh_log_findings(store, system, (SOURCE,), analyses)
    return removed


def link_sources(store: Store, system: str, links: Mapping[str, str | None],
                 analyses: Analyses = LOG_ANALYSES) -> list[Recorded]:
    """Declare the scanned artifact producing each feature ({feature: artifact, or None to unlink it}), then
    refresh the monitoring findings once (nothing when `links` is empty)."""
    for feature, artifact in links.items():
        if artifact is None:
            unlink_source(store, system, feature)
        else:
            link_source(store, system, feature, artifact)
    return refresh_log_findings(store, system, (SOURCE,), analyses) if links else []
