"""Time an AppTest run of each page against a large synthetic scan.

    python bench/page_bench.py [--repeat N]

Ingests `ingest_bench.synthetic_scan()` (5,000 modules, 20,000 import edges, 2,000
artifacts, 1,000 findings) into a temporary database, then for each page file runs
`AppTest.from_file(page).run()` N times (default 3): the first run is cold (empty
caches), the rest warm. Prints cold and median warm seconds per page and the target
check (every run <= 2 s). Always exits 0.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

TARGET_SECONDS = 2.0
PAGES = ["overview.py", "debts.py", "checklist.py", "retrospective.py", "findings.py", "dependencies.py",
         "scans.py"]  # pages/ files to time


def time_pages(repeat: int) -> dict[str, list[float]]:
    """Seconds of each AppTest run of each page, first run cold."""
    import streamlit as st
    from ingest_bench import synthetic_scan
    from streamlit.testing.v1 import AppTest

    from mldebt_core.scan.schema import ScanDocument, migrate
    from mldebt_core.store import Store, ingest_document

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with Store(db) as store:
            ingest_document(store, ScanDocument.model_validate(migrate(synthetic_scan())), "synthetic.json")
        os.environ["MLDEBT_DB"] = str(db)
        times: dict[str, list[float]] = {}
        for page in PAGES:
            st.cache_resource.clear()
            st.cache_data.clear()
            times[page] = []
            for _ in range(repeat):
                start = time.perf_counter()
                at = AppTest.from_file(str(PROJECT / "pages" / page), default_timeout=60).run()
                times[page].append(time.perf_counter() - start)
                if at.exception:
                    raise SystemExit(f"{page}: {at.exception[0].message}")
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    times = time_pages(parser.parse_args().repeat)
    for page, runs in times.items():
        warm = f"{statistics.median(runs[1:]):.2f} s" if len(runs) > 1 else "-"
        verdict = "ok" if max(runs) <= TARGET_SECONDS else f"over {TARGET_SECONDS} s"
        print(f"pages/{page}: cold {runs[0]:.2f} s, warm median {warm} ({verdict})")


if __name__ == "__main__":
    main()
