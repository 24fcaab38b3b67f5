"""Dependencies: the import graph or the data lineage of the selected scan, aggregated when
large, and the transitive upstream of one artifact, model or code file."""

import pandas as pd
import streamlit as st

from mldebt_core.graph_html import graph_html
from mldebt_core.graphs import (
    GraphView,
    expand,
    import_graph,
    lineage_graph,
    neighbourhood,
    upstream_closure,
    upstream_table,
    view_for,
)
from mldebt_core.settings import DEFAULT_GRAPH_SETTINGS
from mldebt_core.store.scan_rows import import_rows, lineage_rows
from pages.components import common as ui

GRAPHS = {"Data lineage": (lineage_rows, lineage_graph), "Import graph": (import_rows, import_graph)}  # (read, build)
IFRAME_HEIGHT = DEFAULT_GRAPH_SETTINGS.height_px + 60  # room for the legend above the drawing


@ui.cached(shared=True, max_entries=8)
def _graph(store, scan_id: int, which: str) -> tuple:
    """(whole graph, view of it): read-only, so shared rather than copied on every rerun."""
    read, build = GRAPHS[which]
    graph = build(read(store, scan_id))
    return graph, view_for(graph)


@ui.cached(max_entries=32)
def _drawing(store, scan_id: int, which: str, title: str, group: str | None, node: str | None) -> str:
    # the page is hundreds of KiB: cached so a rerun does not rebuild it
    graph, view = _graph(store, scan_id, which)
    if node is not None:
        shown = view_for(neighbourhood(graph, node)).graph
    elif group is not None:
        shown = expand(graph, view.graph, group)
    else:
        shown = view.graph
    return graph_html(shown, title)


@ui.cached(max_entries=32)
def _upstream(store, scan_id: int, node: str, title: str) -> tuple[str, pd.DataFrame]:
    rows = lineage_rows(store, scan_id)
    drawing = graph_html(view_for(upstream_closure(rows, node)).graph, title)
    return drawing, pd.DataFrame(upstream_table(rows, node), columns=["node", "kind", "distance"])


def _focus(view: GraphView, graph) -> tuple[str | None, str | None]:
    """The group to open or the node to centre on, picked by the user when the graph is drawn aggregated."""
    st.caption(f"{view.source_nodes:,} nodes, drawn as {len(view.graph)} groups by their first {view.depth} "
               f"prefix part(s). Open one group, or centre on one node.")
    left, right = st.columns(2)
    groups = {n: f"{d['label']} ({len(d['members'])})" for n, d in view.graph.nodes(data=True) if "members" in d}
    group = left.selectbox("Open a group", sorted(groups, key=groups.get), index=None, format_func=groups.get,
                           key="dependencies_group")
    node = right.selectbox("Neighbourhood of a node", sorted(graph), index=None, key="dependencies_node")
    return (None, node) if node is not None else (group, None)


st.title("Dependencies")
system, scan_id = ui.require_scan()
store = ui.store()
which = st.radio("Graph", list(GRAPHS), horizontal=True, key="dependencies_graph")
graph, view = _graph(store, scan_id, which)
group, node = _focus(view, graph) if view.depth is not None else (None, None)
st.iframe(_drawing(store, scan_id, which, f"{which} of {system}, scan #{scan_id}", group, node), height=IFRAME_HEIGHT)

st.subheader("Upstream of one artifact")
lineage, _ = _graph(store, scan_id, "Data lineage")
target = st.selectbox("Artifact, model or code file", sorted(lineage), index=None, key="dependencies_upstream",
                      placeholder="Pick one to see everything it is derived from")
if target is not None:
    drawing, table = _upstream(store, scan_id, target, f"Upstream of {target}")
    if table.empty:
        st.info("Nothing upstream: the scan saw nothing this is derived from.")
    else:
        st.iframe(drawing, height=IFRAME_HEIGHT)
        st.dataframe(table, hide_index=True)
        ui.download("Download as CSV", table, f"upstream-scan{scan_id}.csv", "dependencies_upstream_csv")
