"""What the Monitoring page shows, computed in one call per choice of model, window and reference.

The page caches `monitoring_view` per (system, window, model, reference, `data_version`): the version
changes whenever a log file, a limit or a feature source of the system changes, so a cached view is
never stale and choosing again what was chosen before costs nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from mldebt_core.monitoring.bias import prediction_bias
from mldebt_core.monitoring.drift import DriftReport, drift_report
from mldebt_core.monitoring.limits import breaches, evaluate_limits
from mldebt_core.monitoring.log_table import load_log_schema
from mldebt_core.monitoring.producers import ProducerReport, producer_report, source_health
from mldebt_core.monitoring.reference import Reference, require_log
from mldebt_core.monitoring.sample import read_log
from mldebt_core.store import Store


@dataclass(frozen=True)
class LogSummary:
    rows: int
    first_ts: datetime
    last_ts: datetime
    models: tuple[str, ...]
    features: int


@dataclass(frozen=True)
class MonitoringView:
    bias: object
    """DataFrame: prediction bias and quantile bands per window (see `bias.prediction_bias`)"""
    drift: DriftReport
    limits: object
    """DataFrame: every window's value of every limit (see `limits.evaluate_limits`)"""
    breaches: object
    producers: ProducerReport
    sources: object
    """DataFrame: health per declared source (see `producers.source_health`)"""

    @property
    def headline(self) -> dict[str, int]:
        """What needs a look: drift alerts (columns x windows), bias-flagged windows, limit breaches, unhealthy
        producers (features)."""
        return {"drift_alerts": int((self.drift.windows["level"] == "alert").sum()),
                "bias_flagged": int(self.bias["flagged"].sum()), "limit_breaches": len(self.breaches),
                "unhealthy_producers": int((self.producers.health["status"] != "ok").sum())}


def log_summary(store: Store, system: str) -> LogSummary | None:
    """Size, time span and models of the system's log; None when it has none."""
    schema = load_log_schema(store, system)
    if schema is None:
        return None
    # the files' records hold the counts and spans: only the models need the rows
    rows, first, last = store.query("SELECT sum(row_count), min(first_ts), max(last_ts) FROM log_files "
                                    "WHERE system = ?", [system])[0]
    models = [row[0] for row in store.query(f"SELECT DISTINCT model FROM {schema.table} ORDER BY model")]
    return LogSummary(int(rows or 0), first, last, tuple(models), len(schema.features))


def data_version(store: Store, system: str) -> str:
    """A fingerprint of everything a view depends on: the log's files, the limits, the sources, the scans."""
    row = store.query(
        "SELECT (SELECT list(id ORDER BY id) FROM log_files WHERE system = $s), "
        "(SELECT list(id ORDER BY id) FROM action_limits WHERE system = $s), "
        "(SELECT list(feature || '=' || artifact ORDER BY feature) FROM feature_sources WHERE system = $s), "
        "(SELECT list(id ORDER BY id) FROM scans WHERE system = $s)", {"s": system})[0]
    return repr(row)


def monitoring_view(store: Store, system: str, model: str | None, window: str,
                    reference: Reference) -> MonitoringView:
    """Bias, drift, limits and producers of `system`'s log for `model` (None: all) per `window` against `reference`,
    from one read of the log (`sample.read_log`)."""
    sample = read_log(store, require_log(store, system), window, model)
    bias = prediction_bias(store, system, window, model, sample=sample)
    drift = drift_report(store, system, reference, window, model, sample=sample)
    limits = evaluate_limits(store, system, model)
    producers = producer_report(store, system, drift.period.start, drift.period.end, window, model, sample=sample)
    return MonitoringView(bias, drift, limits, breaches(limits), producers, source_health(producers.health))
