"""Time the Monitoring page's script run (AppTest) over a store holding the 10M-row benchmark log.

    python bench/monitoring_page_bench.py [--repeat N] [--log PATH]

Writes (or reuses) `big_log.py`'s log, stores it with `ingest_logs` under the sample scan's system in a
temporary database (in a subprocess), with the sample's action limit (share of positive actions per
hour <= 0.35), then, in this process:

- the floor: one aggregate query reading every column the analyses use once (count, avg of each numeric
  column, approximate distinct count of each categorical one), the issue's baseline, best of N;
- each step of the default view alone (the shared `read_log`, then bias, drift, limits, producers from it):
  where a cold run's time goes;
- cold: `AppTest.from_file("pages/monitoring.py").run()` with every Streamlit cache cleared (the default
  choice: all models, daily windows, the first 7 days as reference);
- warm: the same script run again N times (the page's caches hold the results);
- each other window size chosen once (cold for that choice), then the default again.

Prints seconds, each against the floor, the target check (every run <= 2 s) and the peak RSS of this
process. Always exits 0.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

TARGET_SECONDS = 2.0
SYSTEM = "churn-system"  # the sample scan's system: the page needs a system with a scan


def _prepare(db: Path, log: Path) -> None:
    """Store the sample scan, the log and the sample's limit (in a subprocess: its memory is not the page's)."""
    from mldebt_core.logs.ingest import ingest_logs
    from mldebt_core.logs.simulate import SAMPLE_SPEC
    from mldebt_core.monitoring.limits import ActionLimit, save_limit
    from mldebt_core.samples import SAMPLE_SCAN
    from mldebt_core.store import Store, ingest_scan

    with Store(db) as store:
        ingest_scan(store, SAMPLE_SCAN.read_bytes(), SAMPLE_SCAN.name)
        ingest_logs(store, SYSTEM, [log])
        save_limit(store, SYSTEM, ActionLimit("positive_share", "hour", upper=SAMPLE_SPEC.action_limit_share))


def _floor(db: Path, repeat: int) -> float:
    from mldebt_core.logs.table import load_log_schema
    from mldebt_core.store import Store

    with Store(db) as store:
        schema = load_log_schema(store, SYSTEM)
        table = schema.table
        parts = ["count(*)", "avg(prediction)", "avg(label)", "approx_count_distinct(model)",
                 "approx_count_distinct(action)"]
        parts += [f"avg({f.column})" if f.kind == "numeric" else f"approx_count_distinct({f.column})"
                  for f in schema.features]
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            store.query(f"SELECT {', '.join(parts)} FROM {table}")
            runs.append(time.perf_counter() - started)
    return min(runs)


def _analyses(db: Path) -> list[tuple[str, float]]:
    """Seconds of each analysis the page's default view runs, alone: where a cold run's time goes."""
    from mldebt_core.logs.sample import read_log
    from mldebt_core.logs.table import load_log_schema
    from mldebt_core.monitoring.bias import prediction_bias
    from mldebt_core.monitoring.drift import drift_report
    from mldebt_core.monitoring.limits import evaluate_limits
    from mldebt_core.monitoring.producers import producer_report
    from mldebt_core.monitoring.reference import resolve_reference
    from mldebt_core.store import Store

    with Store(db) as store:
        schema = load_log_schema(store, SYSTEM)
        period = resolve_reference(store, schema)
        sample = read_log(store, schema)
        drift_report(store, sample, period)  # untimed: warms the page cache for all of them
        steps = [("read_log", lambda: read_log(store, schema)),
                 ("bias", lambda: prediction_bias(store, sample)),
                 ("drift", lambda: drift_report(store, sample, period)),
                 ("limits", lambda: evaluate_limits(store, schema)),
                 ("producers", lambda: producer_report(store, sample, period))]
        timings = []
        for name, step in steps:
            started = time.perf_counter()
            step()
            timings.append((name, time.perf_counter() - started))
    return timings


def _page_runs(db: Path, repeat: int) -> list[tuple[str, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["MLDEBT_DB"] = str(db)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT / "pages" / "monitoring.py"), default_timeout=600)
    at.session_state["system"] = SYSTEM
    at.session_state["scan_id"] = 1
    runs = []

    def timed(label: str) -> None:
        started = time.perf_counter()
        at.run()
        runs.append((label, time.perf_counter() - started))
        if at.exception:
            raise SystemExit(f"{label}: {at.exception[0].message}")

    timed("cold (day)")
    for _ in range(repeat):
        timed("warm (day)")
    for window in ("hour", "week"):
        at.radio(key="monitoring_window").set_value(window)
        timed(f"first {window}")
    at.radio(key="monitoring_window").set_value("day")
    timed("back to day")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs and floor runs (default 3)")
    parser.add_argument("--log", type=Path, help="the log to store (default: big_log.py's, written when missing)")
    parser.add_argument("--prepare", nargs=2, type=Path, metavar=("DB", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        _prepare(*args.prepare)
        return
    from big_log import ensure_big_log

    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f}" + ("  (busy machine: rerun when quiet)" if load > 0.7 else ""))
    log = args.log or ensure_big_log()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--prepare", str(db), str(log)], check=True)
        print(f"stored {log} in a new database in {time.perf_counter() - started:.1f} s (in a subprocess)")
        floor = _floor(db, args.repeat)
        print(f"floor (one aggregate over every column): {floor:.3f} s")
        for name, seconds in _analyses(db):
            print(f"  analysis alone, daily, all models: {name:9s} {seconds:6.2f} s = {seconds / floor:5.1f} x floor")
        runs = _page_runs(db, args.repeat)
    for label, seconds in runs:
        verdict = "ok" if seconds <= TARGET_SECONDS else f"over {TARGET_SECONDS} s"
        print(f"pages/monitoring.py {label:12s} {seconds:6.2f} s  = {seconds / floor:5.1f} x floor  ({verdict})")
    warm = [s for label, s in runs if label.startswith("warm")]
    print(f"warm median {statistics.median(warm):.2f} s; every run <= {TARGET_SECONDS} s: "
          f"{'PASS' if all(s <= TARGET_SECONDS for _, s in runs) else 'FAIL'}; "
          f"peak RSS of this process (floor query and page runs) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
