"""Time `mldebt ingest-log`'s core on the 10M-row Parquet log against DuckDB's own CREATE TABLE AS, same run.

    python bench/log_ingest_bench.py [--repeat N] [--log PATH] [--rows N]

The log is `bench/big_log.py`'s (written once to /tmp and reused). Each measurement runs in a fresh
subprocess (so its peak RSS is its own) that opens a new database file in a temporary folder (schema
migrated before the clock starts), then times, up to and including the commit:
  (ours)    `ingest_logs(store, "bench", [log])`: describe, role proposal, one INSERT … SELECT with
            the per-role conversions and checks, sha256 of the file in a thread beside it, the
            log_files record;
  (serial)  the same with the hash computed before the insert (`hash_overlap_min_bytes` above the
            file's size), for information: what overlapping the hash saves;
  (duckdb)  `CREATE TABLE t AS SELECT * FROM read_parquet(log)` through a cursor of the same kind
            of store: the floor, DuckDB copying the file into its own format.
Prints the median of N runs (default 3) of each, interleaved, the ratio ours/duckdb against the
target (<= 1.5) and the peak RSS of ours against the target (<= 2048 MB). Always exits 0.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_log import DEFAULT_PATH, ROWS, ensure_big_log

TARGET_RATIO = 1.5
TARGET_PEAK_MB = 2048


def _worker(method: str, log: str) -> None:
    from mldebt_core.logs.ingest import ingest_logs
    from mldebt_core.settings import DEFAULT_LOG_INGEST_SETTINGS, LogIngestSettings
    from mldebt_core.store import Store

    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "bench.duckdb") as store:
            start = time.perf_counter()
            if method in ("ours", "serial"):
                serial = LogIngestSettings(hash_overlap_min_bytes=Path(log).stat().st_size + 1)
                rows = ingest_logs(store, "bench", [log], settings=serial if method == "serial" else
                                   DEFAULT_LOG_INGEST_SETTINGS).rows_added
            else:
                with store.transaction() as cursor:
                    cursor.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [log])
                rows = store.query_value("SELECT count(*) FROM t")
            seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "rows": rows}))


def _measure(method: str, log: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", method, str(log)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    if done.returncode:
        raise SystemExit(f"the {method} run failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs of each method (default 3)")
    parser.add_argument("--log", type=Path, default=DEFAULT_PATH, help=f"the log to use/write (default {DEFAULT_PATH})")
    parser.add_argument("--rows", type=int, default=ROWS, metavar="N", help=f"rows of the log (default {ROWS:,})")
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return 0
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}")
    log = ensure_big_log(args.log, args.rows)
    print(f"log: {log}, {args.rows:,} rows, {log.stat().st_size / 1e9:.2f} GB")
    _measure("duckdb", log)  # untimed: warms the page cache, so every run reads the file from memory
    runs = {"ours": [], "serial": [], "duckdb": []}
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
        for method in runs:
            runs[method].append(_measure(method, log))
    medians = {method: statistics.median(r["seconds"] for r in results) for method, results in runs.items()}
    for method, results in runs.items():
        singles = ", ".join(f"{r['seconds']:.2f}" for r in results)
        peak = max(r["peak_rss_mb"] for r in results)
        print(f"{method:6}  median {medians[method]:6.2f} s  (runs: {singles})  peak RSS {peak:.0f} MB  "
              f"rows {results[0]['rows']:,}")
    ratio = medians["ours"] / medians["duckdb"]
    peak = max(r["peak_rss_mb"] for r in runs["ours"])
    print(f"target: ingest <= {TARGET_RATIO}x CREATE TABLE AS: {'PASS' if ratio <= TARGET_RATIO else 'FAIL'} "
          f"({ratio:.2f}x)")
    print(f"target: peak RSS <= {TARGET_PEAK_MB} MB: {'PASS' if peak <= TARGET_PEAK_MB else 'FAIL'} ({peak:.0f} MB)")
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
