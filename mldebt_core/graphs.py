"""The import and lineage graphs of a scan, and the views that keep large ones readable.

Pure functions over a scan's rows: `ImportInput` (modules, import edges) and `LineageInput` (artifacts,
lineage edges, findings). A stored scan's rows (`store.scan_rows.import_rows` / `lineage_rows`) and a
fresh `ScanDocument` both have them, so the dashboard builds from the store and `mldebt scan`-side code
and tests from a document, with equal results. networkx does the graph work and nothing here draws.
Node attributes every drawing relies on:

- `kind`: "module" (import graph), "code", "data", "model" or "prediction" (lineage graph; an
  artifact's kind is its role); aggregated views add "other" for groups folded together.
- `label`: the text shown (module name, code path, artifact location, group prefix).
- `fan_in`: in-degree (how many depend on it); `size` = 1 + fan_in, summed over a group's members,
  so a node nothing depends on still shows and a group weighs what it holds.
- `highlight`: the finding kind that puts it on a debt path (nodes and edges), see HIGHLIGHT_KINDS.
- groups only: `members`, the original node ids they stand for.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_GRAPH_SETTINGS

HIGHLIGHT_KINDS = ("direct_feedback_loop", "correction_cascade", "undeclared_consumer")
"""Finding kinds drawn on the lineage graph, strongest first: a node on several paths shows the first."""

CODE_PREFIX = "code:"
OTHER_GROUP = "group:other"


# --- what the graphs are built from: read-only views that store rows and scan document models both satisfy ---


class ModuleLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def is_package(self) -> bool: ...


class ImportEdgeLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def line(self) -> int: ...


class ArtifactLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def role(self) -> str: ...


class LineageEdgeLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def mode(self) -> str: ...


class FindingLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def file(self) -> str | None: ...
    @property
    def evidence(self) -> Mapping[str, object]: ...


class ImportInput(Protocol):
    """What `import_graph` reads: `store.scan_rows.ImportRows`, or a ScanDocument."""

    @property
    def modules(self) -> Sequence[ModuleLike]: ...
    @property
    def import_edges(self) -> Sequence[ImportEdgeLike]: ...


class LineageInput(Protocol):
    """What the lineage functions read: `store.scan_rows.LineageRows`, or a ScanDocument."""

    @property
    def artifacts(self) -> Sequence[ArtifactLike]: ...
    @property
    def lineage_edges(self) -> Sequence[LineageEdgeLike]: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...


def import_graph(scan: ImportInput) -> nx.DiGraph:
    """Modules of the repository and who imports whom (one edge per importing pair, its lines kept)."""
    graph = nx.DiGraph()
    for module in scan.modules:
        node = module_node(module)  # the id the scan's import edges name it by
        package = node if module.is_package else node.rpartition(".")[0]
        graph.add_node(node, kind="module", label=node, path=module.path, package=package)
    for edge in scan.import_edges:
        for name in (edge.source, edge.target):
            if name not in graph:  # a module the scan did not list still gets a drawable node
                graph.add_node(name, kind="module", label=name, path=None, package=name.rpartition(".")[0])
        if graph.has_edge(edge.source, edge.target):
            graph.edges[edge.source, edge.target]["lines"] += (edge.line,)
        else:
            graph.add_edge(edge.source, edge.target, lines=(edge.line,))
    return _with_fan_in(graph)


def module_node(module: ModuleLike) -> str:
    """A module's node id: its name, prefixed with its project's path in a monorepo ('services/api:app.main'),
    where two projects may hold modules of the same name."""
    project = getattr(module, "project", None)
    return f"{project}:{module.name}" if project and project != "." else module.name


def lineage_graph(scan: LineageInput) -> nx.DiGraph:
    """Artifacts and the code that reads or writes them, with the debt paths of the findings highlighted."""
    graph = nx.DiGraph()
    for artifact in scan.artifacts:
        graph.add_node(artifact.id, kind=artifact.role, label=artifact.location,
                       artifact_kind=artifact.kind, location=artifact.location)
    for edge in scan.lineage_edges:
        for node in (edge.source, edge.target):
            if node.startswith(CODE_PREFIX):
                path = node.removeprefix(CODE_PREFIX)
                graph.add_node(node, kind="code", label=path, path=path)
        graph.add_edge(edge.source, edge.target, mode=edge.mode)
    for finding in scan.findings:
        nodes, edges = _debt_path(graph, finding)
        for node in nodes:
            _mark(graph.nodes[node], finding.kind)
        for edge in edges:
            _mark(graph.edges[edge], finding.kind)
    return _with_fan_in(graph)


def _with_fan_in(graph: nx.DiGraph) -> nx.DiGraph:
    for node, fan_in in graph.in_degree():
        graph.nodes[node].update(fan_in=fan_in, size=1 + fan_in)
    return graph


def _mark(attributes: dict, kind: str) -> None:
    current = attributes.get("highlight")
    if current is None or HIGHLIGHT_KINDS.index(kind) < HIGHLIGHT_KINDS.index(current):
        attributes["highlight"] = kind


def _node_of(graph: nx.DiGraph, item: object) -> str | None:
    """An evidence item as a lineage node id: artifact ids are node ids, code paths get the code prefix."""
    if not isinstance(item, str):
        return None
    for node in (item, CODE_PREFIX + item):
        if node in graph:
            return node
    return None


def _path(graph: nx.DiGraph, source: str | None, target: str | None) -> list[str]:
    if source is None or target is None:
        return []
    try:
        return nx.shortest_path(graph, source, target)
    except nx.NetworkXNoPath:
        return []


def _debt_path(graph: nx.DiGraph, finding: FindingLike) -> tuple[set[str], set[tuple[str, str]]]:
    """The lineage nodes and edges a finding's evidence names (nothing for other kinds)."""
    evidence = finding.evidence
    walks: list[list[str | None]] = []
    if finding.kind == "direct_feedback_loop":
        walks.append([_node_of(graph, item) for item in evidence.get("cycle", [])])
    elif finding.kind == "correction_cascade":
        model, via = _node_of(graph, evidence.get("model")), _node_of(graph, evidence.get("via"))
        walks.append(_path(graph, via, model) or [via, model])
        predictions = _node_of(graph, evidence.get("predictions"))
        for upstream in evidence.get("upstream_models", []):
            walks.append(_path(graph, _node_of(graph, upstream), predictions))
    elif finding.kind == "undeclared_consumer":
        walks.append([_node_of(graph, evidence.get("artifact")), _node_of(graph, finding.file)])
    nodes = {node for walk in walks for node in walk if node is not None}
    edges = {(a, b) for walk in walks for a, b in zip(walk, walk[1:]) if graph.has_edge(a, b)}
    return nodes, edges


def upstream_closure(scan: LineageInput, node_id: str) -> nx.DiGraph:
    """Everything the artifact or code node is derived from, the node included."""
    graph = lineage_graph(scan)
    node = _require(graph, node_id)
    return induced(graph, nx.ancestors(graph, node) | {node})


def upstream_table(scan: LineageInput, node_id: str) -> list[dict]:
    """Rows (node, kind, distance in lineage steps) of everything upstream, nearest first; the node itself is
    left out."""
    graph = lineage_graph(scan)
    node = _require(graph, node_id)
    distances = nx.single_source_shortest_path_length(graph.reverse(copy=False), node)
    rows = [{"node": other, "kind": graph.nodes[other]["kind"], "distance": distance}
            for other, distance in distances.items() if other != node]
    return sorted(rows, key=lambda row: (row["distance"], row["node"]))


def _require(graph: nx.DiGraph, node_id: str) -> str:
    node = _node_of(graph, node_id)
    if node is None:
        raise MldebtError(f"{node_id!r} is no artifact or code file of this scan's lineage")
    return node


# --- views of large graphs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphView:
    graph: nx.DiGraph
    depth: int | None
    """Prefix depth the nodes are aggregated at; None when the whole graph is drawn."""
    source_nodes: int
    """Nodes of the graph the view was made from."""


def view_for(graph: nx.DiGraph, max_nodes: int = DEFAULT_GRAPH_SETTINGS.max_nodes) -> GraphView:
    """The most detailed view with at most `max_nodes` nodes.

    The whole graph when it fits; else the graph aggregated at the deepest prefix depth that fits
    (deeper means more, smaller groups). When even depth 1 has too many groups, the largest
    max_nodes - 1 of them stay and the rest fold into one "other" group.
    """
    if len(graph) <= max_nodes:
        return GraphView(graph, None, len(graph))
    prefixes = {node: _prefix_parts(node, data) for node, data in graph.nodes(data=True)}
    deepest = max(len(parts) for parts in prefixes.values())
    owner, labels = _owners(graph, prefixes, 1)
    best, depth = _quotient(graph, owner, labels), 1
    for finer_depth in range(2, deepest + 1):
        finer = _quotient(graph, *_owners(graph, prefixes, finer_depth))
        if len(finer) > max_nodes:
            break
        best, depth = finer, finer_depth
    if len(best) > max_nodes:
        best = _fold_smallest(graph, best, owner, labels, max_nodes)
    return GraphView(best, depth, len(graph))


def aggregate(graph: nx.DiGraph, depth: int) -> nx.DiGraph:
    """Nodes collapsed into their folder/package prefix of `depth` parts, one group per kind and prefix.

    Module "a.b.c" goes to "a.b" at depth 2, code "x/y/z.py" to "x/y", artifacts to their folder
    (a URL's host counts as its first part, a table's schema as its folder). A group of one node
    stays that node. Edges between groups carry `weight`, the number of edges they stand for.
    """
    if depth < 1:
        raise MldebtError(f"aggregation depth is at least 1, not {depth}")
    prefixes = {node: _prefix_parts(node, data) for node, data in graph.nodes(data=True)}
    return _quotient(graph, *_owners(graph, prefixes, depth))


def expand(graph: nx.DiGraph, aggregated: nx.DiGraph, group: str) -> nx.DiGraph:
    """The aggregated view with one group opened into its members (their edges to other groups kept)."""
    members = aggregated.nodes[group].get("members") if group in aggregated else None
    if not members:
        raise MldebtError(f"{group!r} is no group of this view")
    owner = {node: stand_in for stand_in, data in aggregated.nodes(data=True)
             for node in data.get("members", (stand_in,))}
    owner.update({node: node for node in members})
    labels = {stand_in: data["label"] for stand_in, data in aggregated.nodes(data=True) if "members" in data}
    return _quotient(graph, owner, labels)


def neighbourhood(graph: nx.DiGraph, node: str, radius: int = 1) -> nx.DiGraph:
    """The node and everything within `radius` edges of it, whichever way the edges point."""
    if node not in graph:
        raise MldebtError(f"{node!r} is not in this graph")
    return induced(graph, nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), node,
                                                                cutoff=radius))


def induced(graph: nx.DiGraph, nodes: Iterable[str]) -> nx.DiGraph:
    """A copy of the subgraph on `nodes`, its nodes and edges in the graph's order.

    networkx's `subgraph` iterates the node *set* when it is under half the graph, in string-hash order, which
    changes with every process: the seeded layout would then draw the same scan differently after a restart.
    """
    keep = set(nodes)
    sub = nx.DiGraph()
    sub.add_nodes_from((node, data) for node, data in graph.nodes(data=True) if node in keep)
    sub.add_edges_from((u, v, data) for u, v, data in graph.edges(data=True) if u in keep and v in keep)
    return sub


def layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Fixed positions (pixels) so the browser draws without physics; meant for views, not whole large graphs."""
    settings = DEFAULT_GRAPH_SETTINGS
    # networkx's default k is 1/sqrt(n): too tight for labels
    spread = settings.layout_spread / max(1, len(graph)) ** 0.5
    positions = nx.spring_layout(graph, seed=settings.layout_seed, scale=settings.layout_scale, weight=None,
                                 k=spread, iterations=100)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def _prefix_parts(node: str, data: Mapping) -> tuple[str, ...]:
    """The folder/package parts a node is grouped by, outermost first."""
    kind = data.get("kind")
    if kind == "module":
        return tuple(node.split("."))
    if kind == "code":
        return tuple(data["path"].split("/")[:-1])
    location = data.get("location", node)
    if data.get("artifact_kind") == "table":
        return tuple(location.split(".")[:-1])
    scheme, separator, rest = location.rpartition("://")
    parts = rest.split("/")[:-1]
    if separator and parts:
        parts[0] = f"{scheme}://{parts[0]}"
    return tuple(parts)


def _owners(graph: nx.DiGraph, prefixes: Mapping[str, tuple[str, ...]],
            depth: int) -> tuple[dict[str, str], dict[str, str]]:
    """Which group stands for each node at `depth`, and each group's label."""
    groups: dict[str, list[str]] = defaultdict(list)
    labels = {}
    for node, parts in prefixes.items():
        kind = graph.nodes[node]["kind"]
        separator = "." if kind == "module" else "/"
        label = separator.join(parts[:depth]) or "(root)"
        group = f"group:{kind}:{label}"
        groups[group].append(node)
        labels[group] = label
    owner = {}
    for group, members in groups.items():
        for node in members:
            owner[node] = node if len(members) == 1 else group
    return owner, labels


def _fold_smallest(graph: nx.DiGraph, view: nx.DiGraph, owner: dict[str, str], labels: dict[str, str],
                   max_nodes: int) -> nx.DiGraph:
    keep = set(sorted(view, key=lambda node: (-view.nodes[node]["size"], node))[:max_nodes - 1])
    folded = {node: stand_in if stand_in in keep else OTHER_GROUP for node, stand_in in owner.items()}
    return _quotient(graph, folded, {**labels, OTHER_GROUP: f"{len(view) - len(keep)} more groups"})


def _quotient(graph: nx.DiGraph, owner: Mapping[str, str], labels: Mapping[str, str]) -> nx.DiGraph:
    """The graph with each node replaced by the node that stands for it (itself or its group)."""
    members: dict[str, list[str]] = defaultdict(list)
    for node in graph:
        members[owner[node]].append(node)
    view = nx.DiGraph()
    for stand_in, nodes in members.items():
        if nodes == [stand_in]:
            view.add_node(stand_in, **graph.nodes[stand_in])
        else:
            view.add_node(stand_in, **_group_attributes(graph, nodes, labels[stand_in]))
    merged: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        a, b = owner[u], owner[v]
        if a != b or a == u == v:  # edges inside a group are hidden by it
            merged[a, b].append(data)
    for (a, b), datas in merged.items():
        attributes = dict(datas[0]) if len(datas) == 1 else {}
        attributes["weight"] = sum(data.get("weight", 1) for data in datas)
        _mark_strongest(attributes, datas)
        view.add_edge(a, b, **attributes)
    return view


def _group_attributes(graph: nx.DiGraph, nodes: list[str], label: str) -> dict:
    datas = [graph.nodes[node] for node in nodes]
    kinds = {data["kind"] for data in datas}
    attributes = {"kind": kinds.pop() if len(kinds) == 1 else "other", "label": label,
                  "members": tuple(sorted(nodes)),
                  "fan_in": sum(data["fan_in"] for data in datas), "size": sum(data["size"] for data in datas)}
    _mark_strongest(attributes, datas)
    return attributes


def _mark_strongest(attributes: dict, parts: Iterable[Mapping]) -> None:
    attributes.pop("highlight", None)
    for part in parts:
        if part.get("highlight"):
            _mark(attributes, part["highlight"])
