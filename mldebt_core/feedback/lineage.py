"""The static view of feedback loops: what the system's latest scan found in its lineage.

`direct_feedback_loop` (a model's predictions flow back into its own training data) and
`correction_cascade` (a model trained on another's output) findings, and the part of the lineage
graph on their paths, listed beside the statistical view of the same system.
"""

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from mldebt_core.graphs import induced, lineage_graph
from mldebt_core.store import Store, queries
from mldebt_core.store.scan_rows import lineage_rows

LOOP_KINDS = ("direct_feedback_loop", "correction_cascade")


@dataclass(frozen=True)
class LineageLoops:
    scan_id: int | None
    """the system's latest scan; None when it has none"""
    findings: pd.DataFrame
    """that scan's loop findings (queries.findings columns)"""
    graph: nx.DiGraph
    """the lineage nodes and edges on those findings' paths"""


def lineage_loops(store: Store, system: str) -> LineageLoops:
    scan_id = queries.latest_scan(store, system)
    if scan_id is None:
        return LineageLoops(None, queries.findings(store, -1), nx.DiGraph())  # no scan -1: the empty frame
    findings = queries.findings(store, scan_id, kinds=list(LOOP_KINDS))
    if findings.empty:
        return LineageLoops(scan_id, findings, nx.DiGraph())
    graph = lineage_graph(lineage_rows(store, scan_id))
    on_paths = [node for node, data in graph.nodes(data=True) if data.get("highlight") in LOOP_KINDS]
    return LineageLoops(scan_id, findings, induced(graph, on_paths))
