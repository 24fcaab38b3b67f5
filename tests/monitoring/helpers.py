"""The monitoring analyses as a test calls them: by system name, each composing what the Monitoring view does
(require the log, resolve the reference, read the log once, analyse)."""

from datetime import datetime

from mldebt_core.logs.sample import LogSample, read_log
from mldebt_core.logs.table import require_log
from mldebt_core.monitoring.bias import prediction_bias
from mldebt_core.monitoring.drift import DriftReport, drift_report
from mldebt_core.monitoring.limits import evaluate_limits
from mldebt_core.monitoring.producers import ProducerReport, producer_report
from mldebt_core.monitoring.reference import Reference, ReferencePeriod, resolve_reference
from mldebt_core.settings import (
    DEFAULT_BIAS_SETTINGS,
    DEFAULT_DRIFT_SETTINGS,
    DEFAULT_PRODUCER_SETTINGS,
    BiasSettings,
    DriftSettings,
    ProducerSettings,
)
from mldebt_core.store import Store


def period_of(store: Store, system: str, reference: Reference = Reference(), model: str | None = None):
    return resolve_reference(store, require_log(store, system), reference, model)


def drift(store: Store, system: str, reference: Reference = Reference(), window: str = "day",
          model: str | None = None, adaptive: bool = False,
          settings: DriftSettings = DEFAULT_DRIFT_SETTINGS) -> DriftReport:
    period = period_of(store, system, reference, model)
    return drift_report(store, read_log(store, require_log(store, system), window, model, settings), period, adaptive,
                        settings)


def bias(store: Store, system: str, window: str = "day", model: str | None = None,
         settings: BiasSettings = DEFAULT_BIAS_SETTINGS, sample: LogSample | None = None):
    return prediction_bias(store, sample or read_log(store, require_log(store, system), window, model), settings)


def producers(store: Store, system: str, start: datetime, end: datetime, window: str = "day",
              model: str | None = None, settings: ProducerSettings = DEFAULT_PRODUCER_SETTINGS,
              sample: LogSample | None = None) -> ProducerReport:
    sample = sample or read_log(store, require_log(store, system), window, model)
    return producer_report(store, sample, ReferencePeriod(start, end, 0, model), settings)


def limits_of(store: Store, system: str, model: str | None = None):
    return evaluate_limits(store, require_log(store, system), model)
