"""The monitoring analysis of a system's log, in one call: prediction bias, drift, action limits and up-stream
producers for one choice of model, window and reference, from one read of the log (`logs.sample.read_log`).

`monitoring_view` only computes; `usecases.monitoring.run_monitoring` also records the findings of a run with
the system's defaults (`MonitoringOptions()`).
"""

from dataclasses import dataclass, field

import pandas as pd

from mldebt_core.logs.sample import read_log
from mldebt_core.logs.table import require_log
from mldebt_core.logs.windows import DEFAULT_WINDOW, check_window
from mldebt_core.monitoring.bias import prediction_bias
from mldebt_core.monitoring.drift import DriftReport, drift_report
from mldebt_core.monitoring.findings import monitoring_findings
from mldebt_core.monitoring.limits import breaches, evaluate_limits
from mldebt_core.monitoring.producers import ProducerReport, producer_report, source_health
from mldebt_core.monitoring.reference import Reference, resolve_reference
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding


@dataclass(frozen=True)
class MonitoringOptions:
    model: str | None = None
    """None: every model's rows together"""
    window: str = DEFAULT_WINDOW
    reference: Reference = field(default_factory=Reference)
    adaptive: bool = False
    """drift alert levels from the reference's own windows instead of the fixed levels"""

    def __post_init__(self):
        check_window(self.window)

    @property
    def is_default(self) -> bool:
        """The system's defaults: the run whose findings are recorded."""
        return self == MonitoringOptions()


@dataclass(frozen=True)
class MonitoringView:
    options: MonitoringOptions
    bias: pd.DataFrame
    """prediction bias and quantile bands per window (see `bias.prediction_bias`)"""
    drift: DriftReport
    limits: pd.DataFrame
    """every window's value of every limit (see `limits.evaluate_limits`)"""
    breaches: pd.DataFrame
    producers: ProducerReport
    sources: pd.DataFrame
    """health per declared source (see `producers.source_health`)"""
    findings: tuple[AnalysisFinding, ...]
    """the `monitoring_gap` findings of what this view flags"""

    @property
    def headline(self) -> dict[str, int]:
        """What needs a look: drift alerts (columns x windows), bias-flagged windows, limit breaches, unhealthy
        producers (features)."""
        return {"drift_alerts": int((self.drift.windows["level"] == "alert").sum()),
                "bias_flagged": int(self.bias["flagged"].sum()), "limit_breaches": len(self.breaches),
                "unhealthy_producers": int((self.producers.health["status"] != "ok").sum())}


def monitoring_view(store: Store, system: str, options: MonitoringOptions = MonitoringOptions()) -> MonitoringView:
    """Bias, drift, limits and producers of `system`'s log as `options` say, from one read of the log."""
    schema = require_log(store, system)
    period = resolve_reference(store, schema, options.reference, options.model)  # names the models when one is unknown
    sample = read_log(store, schema, options.window, options.model)
    bias = prediction_bias(store, sample)
    drift = drift_report(store, sample, period, options.adaptive)
    limits = evaluate_limits(store, schema, options.model)
    producers = producer_report(store, sample, period)
    found = breaches(limits)
    return MonitoringView(options, bias, drift, limits, found, producers, source_health(producers.health),
                          tuple(monitoring_findings(drift, bias, limits, producers, options.window)))
