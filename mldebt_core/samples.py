"""The sample system, loaded whole: the demo repository's scan and its simulated prediction log.

Both files live in the source checkout's data/samples/ (`mldebt app` and the dashboard's "Load the
sample system" call `load_sample`). The log is written by `mldebt simulate-log` from `SAMPLE_SPEC`
(see docs/monitoring.md). Loading twice adds nothing: the scan and the log are both recognised.
"""

from pathlib import Path

from mldebt_core.monitoring.alerts import configure_sample
from mldebt_core.monitoring.ingest import ingest_logs
from mldebt_core.store import Store, ingest_scan

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SAMPLE_SCAN = SAMPLES / "demo_scan.json"
SAMPLE_LOG = SAMPLES / "predictions.parquet"


def load_sample(store: Store, scan: Path = SAMPLE_SCAN, log: Path = SAMPLE_LOG) -> str:
    """Store the sample scan, then its prediction log under the scan's system (when the log file exists)
    with the action limit and feature sources its spec documents, and record its monitoring findings;
    returns the system's name."""
    system = ingest_scan(store, scan.read_bytes(), scan.name).system
    if log.is_file():
        ingest_logs(store, system, [log], names=[log.name])
        configure_sample(store, system)
    return system
