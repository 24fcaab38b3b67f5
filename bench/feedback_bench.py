"""Time the feedback comparison with detection for one model on the 10M-row log against one bare DuckDB aggregate.

    python bench/feedback_bench.py [--repeat N] [--db PATH]

The log is bench/big_log.py's (written once to /tmp and reused), stored once with `ingest_logs` in a
database file (--db, default /tmp/mldebt_feedback_bench.duckdb, reused while it holds the whole log).
After one untimed run of each, N interleaved runs (default 7) of:
  (bare)  SELECT date_trunc('day', ts), segment, count(*), avg(prediction), avg(label) FROM <log>
          WHERE model = ? GROUP BY ALL -- the same stored rows and columns, one aggregate, rows fetched;
  (ours)  compare(store, system, Selection(model=...)): the histogram query, every built-in metric per
          day and segment with its interval (Wilson, Newcombe, bootstrap), the gaps, the CUSUM detection;
and for information (not gated): (full) `feedback_report` of that model (adds the holdout-contamination query,
holdout health, lineage, verdict, findings) and (pooled) `compare` of every model together.
Target: median(ours) / median(bare) <= 1.5 (wall time). Prints the 1-minute load average first and, for
information, the same ratio in CPU time (all threads), which a busy machine disturbs less. Always exits 0.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_log import MODELS, ROWS, ensure_big_log

from mldebt_core.feedback.histograms import Selection
from mldebt_core.feedback.report import FeedbackOptions, compare, feedback_report
from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.table import load_log_schema
from mldebt_core.store import Store

TARGET_RATIO = 1.5
SYSTEM = "bench"
DEFAULT_DB = Path("/tmp/mldebt_feedback_bench.duckdb")


def stored_log(db: Path) -> Store:
    """The store holding the whole big log, ingested first when it does not."""
    store = Store(db)
    schema = load_log_schema(store, SYSTEM)
    if schema is None or store.query_value(f"SELECT count(*) FROM {schema.table}") != ROWS:
        store.close()
        db.unlink(missing_ok=True)
        store = Store(db)
        started = time.perf_counter()
        ingest_logs(store, SYSTEM, [ensure_big_log()])
        print(f"stored the {ROWS:,}-row log in {db} in {time.perf_counter() - started:.1f} s")
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, metavar="N", help="timed runs of each (default 7)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, metavar="PATH",
                        help=f"database file holding the log (default {DEFAULT_DB})")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    load = os.getloadavg()[0]
    print(f"load average {load:.2f}" + ("  (busy machine: rerun when it is quiet before trusting a FAIL)"
                                         if load > 0.7 else ""))
    with stored_log(args.db) as store:
        schema = load_log_schema(store, SYSTEM)
        table = schema.table
        model = MODELS[0]
        rows = store.query_value(f"SELECT count(*) FROM {table} WHERE model = ?", [model])
        bare_sql = (f"SELECT date_trunc('day', ts) AS day, segment, count(*), avg(prediction), avg(label) "
                    f"FROM {table} WHERE model = ? GROUP BY ALL")
        runs = {
            "bare": lambda: store.query(bare_sql, [model]),
            "ours": lambda: compare(store, schema, Selection(model=model)),
            "full": lambda: feedback_report(store, SYSTEM, FeedbackOptions(Selection(model=model))),
            "pooled": lambda: compare(store, schema),
        }
        times = {name: [] for name in runs}
        cpu = {name: [] for name in runs}
        for name, run in runs.items():
            run()  # warm-up: the page cache and DuckDB's buffers
        for _ in range(args.repeat):
            for name, run in runs.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                run()
                times[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
        detection = compare(store, schema, Selection(model=model)).detection
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    print(f"{rows:,} rows of model {model} (of {ROWS:,}); medians of {args.repeat} runs:")
    for name, label in (("bare", "bare DuckDB aggregate"), ("ours", "comparison + detection"),
                        ("full", "full analysis, one model"), ("pooled", "comparison, all models")):
        single = ", ".join(f"{value * 1000:.0f}" for value in times[name])
        print(f"  {f'({name})':<9}{label:<26} {medians[name] * 1000:8.1f} ms   [{single}]")
    ratio = medians["ours"] / medians["bare"]
    print(f"ours / bare = {ratio:.2f}  target <= {TARGET_RATIO}: {'PASS' if ratio <= TARGET_RATIO else 'FAIL'}")
    print(f"(full / bare = {medians['full'] / medians['bare']:.2f}, pooled / bare = "
          f"{medians['pooled'] / medians['bare']:.2f}; detection flagged: {detection.flagged})")
    print(f"(CPU time of this process, all threads, less sensitive to a busy machine: ours / bare = "
          f"{cpu_medians['ours'] / cpu_medians['bare']:.2f}, {cpu_medians['ours'] * 1000:.0f} / "
          f"{cpu_medians['bare'] * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
