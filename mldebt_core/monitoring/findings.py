"""Monitoring alerts as findings: what the checklist and the Findings views read about a system's log.

Every alerting analysis over the log (drift, prediction bias, action limits, up-stream producers) flags
`monitoring_gap` findings, each with the window, column and value in its evidence. Which run records them
is the use cases' rule (see usecases/monitoring.py and docs/findings.md).
"""

import pandas as pd

from mldebt_core.monitoring.drift import DriftReport
from mldebt_core.monitoring.producers import ProducerReport
from mldebt_core.store.analysis_findings import AnalysisFinding, evidence_windows

SOURCE = "monitoring"
"""the analysis_findings source of these findings"""
KIND = "monitoring_gap"
_LIMIT_COLUMNS = {"positive_share": "action", "positive_actions": "action", "mean_prediction": "prediction"}
"""the log column a limit's metric is computed from"""


def monitoring_findings(drift: DriftReport, bias: pd.DataFrame, limits: pd.DataFrame, producers: ProducerReport,
                        window: str) -> list[AnalysisFinding]:
    """Every alert of one monitoring run, `window` being the run's window size."""
    return (drift_findings(drift.windows) + bias_findings(bias) + limit_findings(limits)
            + producer_findings(producers, window))


def drift_findings(windows: pd.DataFrame) -> list[AnalysisFinding]:
    """One finding per column with alerting windows, from `DriftReport.windows`."""
    findings = []
    alerts = windows[windows["level"] == "alert"]
    for (role, name), rows in alerts.groupby(["role", "column"], sort=True):
        first = rows.iloc[0]
        worst = rows.loc[rows["alert_ratio"].idxmax()]
        findings.append(AnalysisFinding(
            KIND, "prediction" if role == "prediction" else f"feature:{name}", "drift",
            f"{'the prediction' if role == 'prediction' else name} drifted in {len(rows)} "
            f"{first['window']}(s) from {rows['window_start'].min():%Y-%m-%d %H:%M} to "
            f"{rows['window_start'].max():%Y-%m-%d %H:%M}; worst {worst['reason']} "
            f"in the {first['window']} from {worst['window_start']:%Y-%m-%d %H:%M}",
            {"column": name, "window": worst["window_start"], "value": worst[worst["worst_statistic"]],
             "statistic": worst["worst_statistic"], "level": "alert", "window_size": first["window"],
             "alert_windows": len(rows), "windows": evidence_windows(rows["window_start"])}))
    return findings


def bias_findings(frame: pd.DataFrame) -> list[AnalysisFinding]:
    """One finding when windows of `bias.prediction_bias` are flagged."""
    flagged = frame[frame["flagged"]]
    if flagged.empty:
        return []
    worst = flagged.loc[flagged["bias"].abs().idxmax()]
    window = worst["window"]
    what = "label rate" if worst["task"] == "classification" else "mean label"
    return [AnalysisFinding(
        KIND, "prediction", "bias",
        f"prediction bias in {len(flagged)} {window}(s) from {flagged['window_start'].min():%Y-%m-%d %H:%M} to "
        f"{flagged['window_start'].max():%Y-%m-%d %H:%M}: the mean prediction differs from the {what}; worst "
        f"{worst['bias']:+.4g} ({worst['mean_prediction_labelled']:.4g} predicted, {worst['label_mean']:.4g} "
        f"observed) in the {window} from {worst['window_start']:%Y-%m-%d %H:%M}",
        {"column": "prediction", "window": worst["window_start"], "value": float(worst["bias"]),
         "level": "flagged", "task": worst["task"], "window_size": window, "flagged_windows": len(flagged),
         "windows": evidence_windows(flagged["window_start"])})]


def limit_findings(evaluation: pd.DataFrame) -> list[AnalysisFinding]:
    """One finding per (limit, model) with breached windows, from an `evaluate_limits` result."""
    found = evaluation[evaluation["breached"].astype(bool)]
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
            hours = _number(feature["hours_since_last_value"])  # None: it never delivered a value
            findings.append(AnalysisFinding(
                KIND, f"feature:{name}", "producer:stale",
                f"producer of {name} is stale: " + (f"its last value is {hours:.0f} hours before the log's end"
                                                    if hours is not None else "it never delivered a value") + fed,
                {**common, "check": "stale", "window": feature["last_value_at"], "value": hours}, severity))
    return findings


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)  # NaN: none
