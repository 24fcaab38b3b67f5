"""Time `ingest_scan` of a large synthetic scan into a fresh DuckDB file, against a row-by-row baseline.

    python bench/ingest_bench.py [--repeat N]

The scan (deterministic, seed 0): 5,000 modules and files, 20,000 import edges, 2,000
artifacts, 4,000 lineage edges, 4,000 data accesses, 1,000 findings. Each measurement
runs in a fresh subprocess (so its peak RSS is its own) that reads the scan's bytes,
imports everything, then times, into a new temporary database file:
  (fast)  `ingest_scan`: size check, parse, validate, one transaction of bulk
          `INSERT … SELECT` from Arrow tables;
  (naive) the same parse and validation, then `executemany` of one INSERT per row
          into the same tables, in one transaction.
Prints the median wall time of N runs (default 3) of each, the target check
(fast <= 2 s), naive/fast, and each one's peak RSS. Always exits 0.
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0
SIZES = {"modules": 5_000, "import_edges": 20_000, "artifacts": 2_000, "lineage_edges": 4_000,
         "data_accesses": 4_000, "findings": 1_000}


def synthetic_scan(seed: int = 0) -> dict:
    rng = random.Random(seed)
    modules = [f"pkg{i // 100}.mod{i}" for i in range(SIZES["modules"])]
    paths = [m.replace(".", "/") + ".py" for m in modules]
    artifacts = [f"file:data/a{i}.parquet" for i in range(SIZES["artifacts"])]
    kinds = [("glue_code", 5), ("fixed_threshold", 7), ("unstable_data_dependency", 3), ("config_debt", 6)]
    return {
        "schema_version": 2,
        "tool": {"name": "mldebt", "version": "0.1.0"},
        "repo": {"name": "synthetic", "commit": "0" * 40, "branch": "main", "scanned_at": "2026-01-01T00:00:00Z"},
        "summary": {"files": len(paths), "python_files": len(paths), "lines": 100 * len(paths), "skipped": 0,
                    "findings_by_kind": {}, "findings_by_severity": {}},
        "languages": [{"language": "Python", "files": len(paths), "lines": 100 * len(paths)}],
        "files": [{"path": p, "language": "Python", "lines": 100, "bytes": 3000} for p in paths],
        "skipped": [],
        "modules": [{"name": m, "path": p, "is_package": False} for m, p in zip(modules, paths)],
        "import_edges": [{"source": rng.choice(modules), "target": rng.choice(modules), "line": rng.randint(1, 50)}
                         for _ in range(SIZES["import_edges"])],
        "external_packages": [{"name": "pandas", "ml": True, "imported_by": paths[:100]}],
        "data_accesses": [{"file": rng.choice(paths), "line": rng.randint(1, 99), "mode": rng.choice(["read", "write"]),
                           "api": "pandas.read_parquet", "location": a[5:], "resolution": "resolved",
                           "expression": repr(a[5:]), "artifact": a, "cell": None}
                          for a in (rng.choice(artifacts) for _ in range(SIZES["data_accesses"]))],
        "artifacts": [{"id": a, "kind": "file", "location": a[5:], "role": rng.choice(["data", "model", "prediction"]),
                       "readers": rng.sample(paths, 2), "writers": rng.sample(paths, 1)}
                      for a in artifacts],
        "lineage_edges": [{"source": f"code:{rng.choice(paths)}", "target": rng.choice(artifacts),
                           "mode": rng.choice(["read", "write"])} for _ in range(SIZES["lineage_edges"])],
        "configs": [], "config_reads": [], "code_health": {},
        "findings": [{"id": f"{kind}:{i:012x}", "kind": kind, "paper_section": section,
                      "severity": rng.choice(["low", "medium", "high"]), "file": rng.choice(paths),
                      "line": rng.randint(1, 99), "message": f"synthetic finding {i}",
                      "evidence": {"value": i, "files": rng.sample(paths, 2)}, "cell": None, "confidence": 80}
                     for i, (kind, section) in ((i, rng.choice(kinds)) for i in range(SIZES["findings"]))],
    }


def _naive_ingest(store, data: bytes, source: str) -> None:
    """The same validation, then one INSERT per row (executemany) into the same tables, one transaction."""
    from mldebt_core.store.ingest import parse_scan
    from mldebt_core.store.tables import CHILD_TABLES

    document = parse_scan(data, source)
    with store.transaction() as cursor:
        cursor.execute("INSERT INTO systems (name) VALUES (?)", [document.repo.name])
        cursor.execute("INSERT INTO scans (id, system, repo_commit, branch, scanned_at, tool_version, schema_version, "
                       "content_sha256, source_name, document) VALUES (1, ?, ?, ?, ?, ?, 2, 'x', ?, ?)",
                       [document.repo.name, document.repo.commit, document.repo.branch, document.repo.scanned_at,
                        document.tool.version, source, document.model_dump_json()])
        for table in CHILD_TABLES:
            rows = [(1, *row) for row in table.rows(document)]
            if rows:
                names = ", ".join(name for name, _ in table.columns)
                marks = ", ".join("?" for _ in range(len(table.columns) + 1))
                cursor.executemany(f"INSERT INTO {table.name} (scan_id, {names}) VALUES ({marks})", rows)


def _worker(method: str, scan_file: str) -> None:
    import pyarrow  # noqa: F401  (imports are not what is timed)

    from mldebt_core.store import Store, ingest_scan

    data = Path(scan_file).read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "bench.duckdb") as store:
            start = time.perf_counter()
            if method == "fast":
                ingest_scan(store, data, "synthetic.json")
            else:
                _naive_ingest(store, data, "synthetic.json")
            seconds = time.perf_counter() - start
            counts = store.table_counts()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "import_edges": counts["import_edges"]}))


def _measure(method: str, scan_file: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", method, str(scan_file)], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs of each method (default 3)")
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        scan_file = Path(folder) / "synthetic.json"
        scan_file.write_text(json.dumps(synthetic_scan()))
        print(f"synthetic scan: {scan_file.stat().st_size / 1e6:.1f} MB, "
              + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in SIZES.items()))
        runs = {"fast": [], "naive": []}
        for _ in range(args.repeat):  # interleaved, so machine drift hits both alike
            for method in runs:
                runs[method].append(_measure(method, scan_file))
    fast = statistics.median(r["seconds"] for r in runs["fast"])
    naive = statistics.median(r["seconds"] for r in runs["naive"])
    for method, median in (("fast", fast), ("naive", naive)):
        singles = ", ".join(f"{r['seconds']:.2f}" for r in runs[method])
        peak = max(r["peak_rss_mb"] for r in runs[method])
        print(f"{method:5}  median {median:6.2f} s  (runs: {singles})  peak RSS {peak:.0f} MB")
    verdict = "PASS" if fast <= TARGET_SECONDS else "FAIL"
    print(f"target: ingest_scan <= {TARGET_SECONDS:.1f} s: {verdict} ({fast:.2f} s); "
          f"naive / fast = {naive / fast:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
