"""Time the Dependencies page's graph work on a synthetic large scan.

    python bench/graph_bench.py [--modules N] [--edges M]

A scan of N modules (default 5,000) in 20 packages of 10 sub-packages, with M distinct
import edges (default 20,000) drawn by a seeded random generator, stored in an in-memory store.
Times, as the page does them: import_rows (the scan's rows from the store, best of 3), import_graph of them,
view_for (aggregation to at most GraphSettings.max_nodes nodes), layout of that view and
graph_html of it; for comparison, validating the stored document (what the page did before it
read rows). Prints the peak RSS of this process.
"""

import argparse
import random
import resource
import time

from mldebt_core import graphs
from mldebt_core.graph_html import graph_html
from mldebt_core.scan.schema import ImportEdge, Module, RepoIdentity, ScanDocument, Summary, Tool
from mldebt_core.store import Store, ingest_document
from mldebt_core.store.scan_rows import import_rows

PACKAGES = 20
SUBPACKAGES = 10
SEED = 2015


def synthetic_scan(modules: int, edges: int) -> ScanDocument:
    names = [f"pkg{i % PACKAGES}.sub{i // PACKAGES % SUBPACKAGES}.mod{i}" for i in range(modules)]
    rng = random.Random(SEED)
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < edges:
        source, target = rng.sample(names, 2)
        pairs.add((source, target))
    return ScanDocument(
        tool=Tool(version="bench"), repo=RepoIdentity(name="synthetic", scanned_at="2026-01-01T00:00:00Z"),
        summary=Summary(files=modules, python_files=modules, lines=0, skipped=0,
                        findings_by_kind={}, findings_by_severity={}),
        languages=[], files=[], skipped=[], external_packages=[], data_accesses=[], artifacts=[],
        lineage_edges=[], findings=[],
        modules=[Module(name=name, path=name.replace(".", "/") + ".py", is_package=False) for name in names],
        import_edges=[ImportEdge(source=s, target=t, line=1) for s, t in sorted(pairs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--edges", type=int, default=20000)
    args = parser.parse_args()
    doc = synthetic_scan(args.modules, args.edges)
    with Store(":memory:") as store:
        scan_id = ingest_document(store, doc, "synthetic.json").scan_id
        validate, read = [], []  # best of three each, interleaved
        for _ in range(3):
            start = time.perf_counter()
            ScanDocument.model_validate_json(store.query_value("SELECT document FROM scans WHERE id = ?", [scan_id]))
            validate.append(time.perf_counter() - start)
            start = time.perf_counter()
            rows = import_rows(store, scan_id)
            read.append(time.perf_counter() - start)

    timings = {"import_rows": min(read)}
    start = time.perf_counter()
    graph = graphs.import_graph(rows)
    timings["import_graph"] = time.perf_counter() - start
    start = time.perf_counter()
    view = graphs.view_for(graph)
    timings["view_for"] = time.perf_counter() - start
    start = time.perf_counter()
    graphs.layout(view.graph)
    timings["layout"] = time.perf_counter() - start
    start = time.perf_counter()
    page = graph_html(view.graph, "synthetic")  # lays the view out again, as the page would
    timings["graph_html"] = time.perf_counter() - start

    print(f"graph: {len(graph)} modules, {graph.number_of_edges()} import edges")
    print(f"view: {len(view.graph)} nodes, {view.graph.number_of_edges()} edges, depth {view.depth}")
    for stage, seconds in timings.items():
        print(f"{stage:>13}: {seconds * 1000:8.1f} ms")
    print(f"{'total':>13}: {sum(timings.values()) * 1000:8.1f} ms")
    print(f"(validating the stored document instead of import_rows: {min(validate) * 1000:.1f} ms, best of 3)")
    print(f"HTML: {len(page) / 1024:.0f} KiB")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
