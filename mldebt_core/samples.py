"""The sample system, loaded whole: the demo repository's scan, its simulated prediction log, and what the log's
spec documents about watching it (an action limit, the scanned sources of its features).

The files live in data/samples/ (`mldebt app` and the dashboard's "Load the sample system" call `load_sample`).
The log is written by `mldebt simulate-log` from `SAMPLE_SPEC` (see docs/monitoring.md). Loading twice adds
nothing: the scan and the log are both recognised.
"""

from pathlib import Path

from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.simulate import SAMPLE_SPEC
from mldebt_core.monitoring.limits import ActionLimit, save_limit
from mldebt_core.monitoring.producers import link_source
from mldebt_core.store import Store, ingest_scan
from mldebt_core.usecases.findings import refresh_log_findings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SAMPLE_SCAN = SAMPLES / "demo_scan.json"
SAMPLE_LOG = SAMPLES / "predictions.parquet"
SAMPLE_LIMIT = ActionLimit("positive_share", "hour", upper=SAMPLE_SPEC.action_limit_share)
"""the sample's action limit: the share of positive actions per hour at most the spec's"""
SAMPLE_SOURCES = {
    "tenure_days": "file:data/raw/customers.csv", "region": "file:data/raw/customers.csv",
    "monthly_spend": "file:data/raw/transactions.parquet", "discount_pct": "file:data/raw/transactions.parquet",
    "support_calls": "url:s3://crm-exports/events/latest.csv", "logins_30d": "url:s3://crm-exports/events/latest.csv",
    "plan": "file:data/raw/plans_v3.csv", "days_since_upgrade": "file:data/raw/plans_v3.csv",
}
"""the sample system's declared feature sources: artifacts of its scan (data/samples/demo_scan.json)"""


def load_sample(store: Store, scan: Path = SAMPLE_SCAN, log: Path = SAMPLE_LOG) -> str:
    """Store the sample scan, then its prediction log under the scan's system (when the log file exists) with
    the action limit and feature sources above, and record the log analyses' findings once; returns the system's
    name."""
    system = ingest_scan(store, scan.read_bytes(), scan.name).system
    if log.is_file():
        ingest_logs(store, system, [log], names=[log.name])
        save_limit(store, system, SAMPLE_LIMIT)
        for feature, artifact in SAMPLE_SOURCES.items():
            link_source(store, system, feature, artifact)
        refresh_log_findings(store, system)
    return system
