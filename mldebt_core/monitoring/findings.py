"""Monitoring alerts as findings: what the checklist and the Findings views read about a system's log.

`record_monitoring_findings` runs every alerting analysis over the log (drift, prediction bias, action
limits, up-stream producers) and records what they flag as `monitoring_gap` findings of source
"monitoring" (replacing the previous run's), each with the window, column and value in its evidence.
"""

from mldebt_core.monitoring.bias import alert_findings as bias_findings
from mldebt_core.monitoring.dashboard import monitoring_view
from mldebt_core.monitoring.drift import alert_findings as drift_findings
from mldebt_core.monitoring.limits import ActionLimit, breaches, save_limit
from mldebt_core.monitoring.producers import SAMPLE_SOURCES, ProducerReport, link_source
from mldebt_core.monitoring.reference import Reference
from mldebt_core.monitoring.simulate import SAMPLE_SPEC, SimulationSpec
from mldebt_core.store import Store, queries
from mldebt_core.store.analysis_findings import AnalysisFinding, evidence_windows, record_findings

SOURCE = "monitoring"
KIND = "monitoring_gap"
_LIMIT_COLUMNS = {"positive_share": "action", "positive_actions": "action", "mean_prediction": "prediction"}
"""the log column a limit's metric is computed from"""


def limit_findings(evaluation) -> list[AnalysisFinding]:
    """One finding per (limit, model) with breached windows, from an `evaluate_limits` result."""
    found = breaches(evaluation)
    findings = []
    for (limit_id, model), rows in found.groupby(["limit_id", "model"], sort=True):
        excess = (rows["value"] - rows["upper"]).fillna(0).clip(lower=0) + (rows["lower"] - rows["value"]).fillna(
            0).clip(lower=0)
        worst = rows.loc[excess.idxmax()]  # the window furthest out of bounds
        meaning = rows["meaning"].iloc[0]
        findings.append(AnalysisFinding(
            KIND, f"model:{model}", f"limit:{limit_id}",
            f"action limit breached in {len(rows)} window(s) of model {model}: {meaning}; worst "
            f"{worst['value']:.4g} in the {worst['window']} from {worst['window_start']:%Y-%m-%d %H:%M}",
            {"column": _LIMIT_COLUMNS[rows["metric"].iloc[0]], "window": worst["window_start"],
             "value": worst["value"], "limit_id": int(limit_id), "metric": rows["metric"].iloc[0],
             "lower": _number(worst["lower"]), "upper": _number(worst["upper"]), "unit": rows["unit"].iloc[0],
             "meaning": meaning, "breached_windows": len(rows),
             "windows": evidence_windows(rows["window_start"])}))
    return findings


def producer_findings(report: ProducerReport, window: str) -> list[AnalysisFinding]:
    """One finding per (feature, check) of an unhealthy producer: nulls, sudden change, out of range, stale."""
    findings = []
    windows = report.windows
    for _, feature in report.health.iterrows():
        if not feature["issues"]:
            continue
        name = feature["feature"]
        source = feature["source"] if isinstance(feature["source"], str) else None
        fed = f"; its source {source} feeds {', '.join(feature['feeds']) or 'no scanned model'}" if source else ""
        severity = "high" if feature["status"] == "alert" else "medium"
        common = {"column": name, "source": source, "feeds": list(feature["feeds"])}
        mine = windows[windows["feature"] == name]
        for check, measure, what in (("nulls", "null_rate", "null rate"), ("sudden_change", "null_rate", "null rate"),
                                     ("out_of_range", "out_of_range_share", "share out of range")):
            rows = mine[mine[check]]
            if rows.empty:
                continue
            worst = rows.loc[rows[measure].idxmax()]
            findings.append(AnalysisFinding(
                KIND, f"feature:{name}", f"producer:{check}",
                f"producer of {name}: {check.replace('_', ' ')} in {len(rows)} {window}(s) from "
                f"{rows['window_start'].min():%Y-%m-%d %H:%M} to {rows['window_start'].max():%Y-%m-%d %H:%M}; "
                f"worst {what} {worst[measure]:.2f} (reference null rate {worst['reference_null_rate']:.2f}){fed}",
                {**common, "check": check, "window": worst["window_start"], "value": worst[measure],
                 "window_size": window, "flagged_windows": len(rows),
                 "windows": evidence_windows(rows["window_start"])},
                severity))
        if "stale" in feature["issues"]:
            hours = feature["hours_since_last_value"]
            findings.append(AnalysisFinding(
                KIND, f"feature:{name}", "producer:stale",
                f"producer of {name} is stale: " + (f"its last value is {hours:.0f} hours before the log's end"
                                                    if hours == hours else "it never delivered a value") + fed,
                {**common, "check": "stale", "window": feature["last_value_at"], "value": hours}, severity))
    return findings


def record_monitoring_findings(store: Store, system: str, reference: Reference = Reference(),
                               window: str = "day") -> list[AnalysisFinding]:
    """Every alert of the system's log (all models) against `reference`, in `window`-sized windows where the
    analysis has no window of its own (a limit has), recorded as its findings of source "monitoring"."""
    view = monitoring_view(store, system, None, window, reference)  # one read of the log for all of them
    findings = (drift_findings(view.drift.windows) + bias_findings(view.bias) + limit_findings(view.limits)
                + producer_findings(view.producers, window))
    record_findings(store, system, SOURCE, findings)
    return findings


def configure_sample(store: Store, system: str, spec: SimulationSpec = SAMPLE_SPEC) -> list[AnalysisFinding]:
    """Watch the sample system as its spec documents: its action limit (the share of positive actions per
    hour at most `spec.action_limit_share`), the scanned sources of its features (when its scan is stored),
    then record its findings. Call it after loading the sample log."""
    save_limit(store, system, ActionLimit("positive_share", "hour", upper=spec.action_limit_share))
    if queries.latest_scan(store, system) is not None:
        for feature, artifact in SAMPLE_SOURCES.items():
            link_source(store, system, feature, artifact)
    return record_monitoring_findings(store, system)


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)  # NaN: no bound
