"""Scan and ingest a repository whose lineage is one long chain, against the same repository without a chain.

    python bench/lineage_chain_bench.py [--sizes 300,3000,30000] [--timeout SECONDS]

For each N two repositories are generated in a temporary folder (never run, only scanned):
  (chain)     N scripts, script i reads `data/s{i}.csv` and writes `data/s{i+1}.csv`: one chain of N
              read/write steps, the worst case of a closure stored per artifact (O(N²));
  (baseline)  N scripts, script i reads `data/in{i}.csv` and writes `data/out{i}.csv`: the same code,
              accesses and artifacts with no chain.
Each is measured in a fresh subprocess (killed after --timeout seconds, default 300): the scan with
`mldebt_core.scan.runner.scan_repository` (the CLI's entry point), the scan JSON as `mldebt scan` writes it,
then `ingest_scan` of those bytes into a new DuckDB file (time, and peak traced Python memory with
tracemalloc). Prints per N the figures of both and chain/baseline ratios, then one PASS/FAIL line: PASS when
at every N the chain's scan seconds, JSON bytes and ingest seconds and memory are at most 2× its baseline's
(ratios over small absolute figures are judged with a floor: 1 s, 1 MB). Always exits 0.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

RATIO = 2.0
FLOORS = {"scan_s": 1.0, "json_mb": 1.0, "ingest_s": 1.0, "ingest_peak_mb": 1.0}


def make_repo(root: Path, n: int, chain: bool) -> None:
    (root / "pipeline").mkdir(parents=True)
    (root / "data").mkdir()
    for i in range(n):
        source, target = (f"data/s{i}.csv", f"data/s{i + 1}.csv") if chain else (f"data/in{i}.csv",
                                                                                   f"data/out{i}.csv")
        (root / "pipeline" / f"step{i}.py").write_text(
            f'import pandas as pd\n\npd.read_csv("{source}").to_csv("{target}")\n')


def _worker(root: str) -> None:
    import mldebt_core
    from mldebt_core.scan.runner import scan_repository
    from mldebt_core.store import Store, ingest_scan

    assert Path(mldebt_core.__file__).resolve().parents[1] == Path(__file__).resolve().parents[1], "wrong checkout"

    start = time.perf_counter()
    document = scan_repository(Path(root), system="chain")
    scan_s = time.perf_counter() - start
    data = (document.model_dump_json(indent=1) + "\n").encode()  # as `mldebt scan` writes it
    del document
    figures = {"scan_s": scan_s, "json_mb": len(data) / 1e6}
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.duckdb") as store:
        tracemalloc.start()
        start = time.perf_counter()
        try:
            ingest_scan(store, data, "chain.json")
        except Exception as error:  # noqa: BLE001 - a refusal (over the size limit) is a figure too
            figures["ingest_error"] = f"{type(error).__name__}: {str(error)[:120]}"
        figures["ingest_s"] = time.perf_counter() - start
        figures["ingest_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    print(json.dumps(figures))


def _measure(n: int, chain: bool, timeout: float) -> dict | None:
    project = Path(__file__).resolve().parents[1]  # this checkout's mldebt_core, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory() as folder:
        make_repo(Path(folder) / "repo", n, chain)
        try:
            done = subprocess.run([sys.executable, __file__, "--worker", str(Path(folder) / "repo")],
                                  capture_output=True, text=True, check=True, timeout=timeout, cwd=project, env=env)
        except subprocess.TimeoutExpired:
            return None
        return json.loads(done.stdout.splitlines()[-1])


def _row(name: str, figures: dict | None, timeout: float) -> str:
    if figures is None:
        return f"  {name:8}  did not finish in {timeout:.0f} s (killed)"
    ingest = (f"refused ({figures['ingest_error']})" if "ingest_error" in figures
              else f"ingest {figures['ingest_s']:6.2f} s, peak {figures['ingest_peak_mb']:7.1f} MB")
    return f"  {name:8}  scan {figures['scan_s']:6.2f} s  JSON {figures['json_mb']:8.2f} MB  {ingest}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,3000,30000", help="chain lengths, comma-separated")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per measurement before it is killed")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return 0
    passed = True
    for n in (int(s) for s in args.sizes.split(",")):
        baseline, chain = _measure(n, False, args.timeout), _measure(n, True, args.timeout)
        print(f"N = {n:,}")
        print(_row("baseline", baseline, args.timeout))
        print(_row("chain", chain, args.timeout))
        if baseline is None or chain is None or "ingest_error" in chain:
            passed = False
            continue
        ratios = {k: max(chain[k], FLOORS[k]) / max(baseline[k], FLOORS[k]) for k in FLOORS}
        print("  chain/baseline: " + ", ".join(f"{k} {v:.2f}×" for k, v in ratios.items()))
        passed &= all(v <= RATIO for v in ratios.values())
    print(f"target: a chain costs at most {RATIO:.0f}× its no-chain baseline at every N: "
          f"{'PASS' if passed else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
