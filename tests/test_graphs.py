import json
import re
from pathlib import Path

import networkx as nx
import pytest
import pyvis

from mldebt_core import graphs
from mldebt_core.errors import MldebtError
from mldebt_core.graph_html import graph_html
from mldebt_core.scan.runner import scan_repository
from mldebt_core.scan.schema import load_scan
from mldebt_core.settings import DEFAULT_GRAPH_SETTINGS
from mldebt_core.store import Store, ingest_document
from mldebt_core.store.scan_rows import closures, import_rows, lineage_rows
from tests.conftest import DEMO_SCAN

PREDICTIONS = "file:data/predictions/churn_scores.parquet"
PAYLOAD = "<img src=x onerror=alert(1)>"
PYVIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib"


@pytest.fixture(scope="module")
def doc():
    return load_scan(DEMO_SCAN.read_text())


@pytest.fixture(scope="module")
def lineage(doc):
    return graphs.lineage_graph(doc)


def test_import_graph_has_a_node_per_module_and_an_edge_per_import(doc):
    graph = graphs.import_graph(doc)
    assert set(graph) == {module.name for module in doc.modules}
    assert graph.number_of_edges() == len(doc.import_edges)
    importers = {edge.source for edge in doc.import_edges if edge.target == "churn.paths"}
    assert graph.nodes["churn.paths"] == {"kind": "module", "label": "churn.paths", "path": "churn/paths.py",
                                          "package": "churn", "fan_in": len(importers), "size": 1 + len(importers)}
    assert graph.nodes["churn"]["package"] == "churn"  # a package is its own package


def test_lineage_graph_has_artifacts_code_and_every_lineage_edge(doc, lineage):
    code = {node for edge in doc.lineage_edges for node in (edge.source, edge.target) if node.startswith("code:")}
    assert len(lineage) == len(doc.artifacts) + len(code)
    assert lineage.number_of_edges() == len(doc.lineage_edges)
    assert {lineage.nodes[a.id]["kind"] for a in doc.artifacts} == {"data", "model", "prediction"}
    assert lineage.nodes["code:churn/train.py"]["kind"] == "code"
    assert lineage.edges["code:churn/score.py", PREDICTIONS]["mode"] == "write"
    assert lineage.nodes["file:models/churn_model.joblib"]["fan_in"] == 1


def test_the_feedback_loop_is_highlighted_on_its_nodes_and_edges(lineage):
    cycle = [PREDICTIONS, "code:churn/features.py", "file:data/features/train.parquet", "code:churn/train.py",
             "file:models/churn_model.joblib", "code:churn/score.py", PREDICTIONS]
    assert all(lineage.nodes[node]["highlight"] == "direct_feedback_loop" for node in cycle)
    assert all(lineage.edges[edge]["highlight"] == "direct_feedback_loop" for edge in zip(cycle, cycle[1:]))


def test_cascade_and_undeclared_consumer_are_highlighted(lineage):
    assert lineage.nodes["file:models/upsell_model.joblib"]["highlight"] == "correction_cascade"
    assert lineage.edges[PREDICTIONS, "code:upsell/train_upsell.py"]["highlight"] == "correction_cascade"
    assert lineage.edges[PREDICTIONS, "code:reports/weekly_report.py"]["highlight"] == "undeclared_consumer"
    assert "highlight" not in lineage.nodes["table:crm.customers"]
    assert "highlight" not in lineage.edges["table:crm.customers", "code:sql/customer_snapshot.sql"]


def test_upstream_closure_of_the_predictions(doc, tmp_path):
    closure = graphs.upstream_closure(doc, PREDICTIONS)
    assert "url:s3://crm-exports/events/latest.csv" in closure
    assert "table:crm.customers" not in closure
    with Store(tmp_path / "closure.duckdb") as store:  # the store derives the same closure, in SQL
        derived = closures(store, ingest_document(store, doc, "demo.json").scan_id, [PREDICTIONS])[PREDICTIONS]
    artifacts = {node for node in closure if not node.startswith("code:")}
    assert artifacts == set(derived.upstream) | {PREDICTIONS} and len(derived.upstream) > 5
    assert {node for node in closure if node.startswith("code:")} == {f"code:{p}" for p in derived.upstream_code}


def test_upstream_table_lists_nearest_first(doc):
    rows = graphs.upstream_table(doc, PREDICTIONS)
    assert rows[0] == {"node": "code:churn/score.py", "kind": "code", "distance": 1}
    assert [row["distance"] for row in rows] == sorted(row["distance"] for row in rows)
    assert {"node": "url:s3://crm-exports/events/latest.csv", "kind": "data", "distance": 6} in rows
    assert PREDICTIONS not in {row["node"] for row in rows}
    assert graphs.upstream_table(doc, "churn/ingest.py")[0]["node"].startswith("file:")  # a code path works too
    with pytest.raises(MldebtError, match="no artifact or code file"):
        graphs.upstream_closure(doc, "file:nowhere.csv")


# -- built from a stored scan's rows: the same graphs as from the document ------------------------------------

@pytest.fixture(scope="module")
def stored_rows(doc):
    with Store(":memory:") as store:
        scan_id = ingest_document(store, doc, "demo_scan.json").scan_id
        yield import_rows(store, scan_id), lineage_rows(store, scan_id)


def as_lists(graph: nx.DiGraph) -> tuple[list, list]:
    """Nodes and edges with their attributes, in insertion order (which the seeded layout depends on)."""
    return list(graph.nodes(data=True)), list(graph.edges(data=True))


@pytest.mark.parametrize("build, part", [(graphs.import_graph, 0), (graphs.lineage_graph, 1)])
def test_stored_rows_build_the_graphs_the_document_builds(doc, stored_rows, build, part):
    from_document, from_rows = build(doc), build(stored_rows[part])
    assert as_lists(from_rows) == as_lists(from_document)
    assert len(from_rows) > 10 and from_rows.number_of_edges() > 5  # the sample has something to compare
    if build is graphs.lineage_graph:
        assert {data.get("highlight") for _, data in from_rows.nodes(data=True)} >= set(graphs.HIGHLIGHT_KINDS)
    assert graph_html(from_rows, "sample") == graph_html(from_document, "sample")  # the same drawing


def test_a_stored_monorepo_draws_its_modules_under_their_projects(make_repo):
    doc = scan_repository(make_repo({
        "api/requirements.txt": "fastapi\n", "api/app/__init__.py": "", "api/app/main.py": "from app import util\n",
        "api/app/util.py": "", "batch/setup.py": "", "batch/app/__init__.py": "",
        "batch/app/main.py": "from app import util\n", "batch/app/util.py": ""}))
    with Store(":memory:") as store:
        from_rows = graphs.import_graph(import_rows(store, ingest_document(store, doc, "mono.json").scan_id))
    assert as_lists(from_rows) == as_lists(graphs.import_graph(doc))
    assert {"api:app.util", "batch:app.util"} <= set(from_rows)
    assert from_rows.has_edge("batch:app.main", "batch:app.util")


def test_subgraphs_keep_the_graph_order_whatever_the_hash_seed(lineage, doc):
    """networkx's subgraph of a small node set iterates a set (hash order, new in every process); the seeded layout
    of an upstream, neighbourhood or feedback drawing needs the graph's own order to draw the same each time."""
    for sub in (graphs.upstream_closure(doc, PREDICTIONS), graphs.neighbourhood(lineage, "code:churn/score.py", 2),
                graphs.induced(lineage, reversed(list(lineage)[::3]))):
        assert 1 < len(sub) < len(lineage) / 2
        assert list(sub) == [node for node in lineage if node in sub]
        assert list(sub.edges) == [edge for edge in lineage.edges if edge in sub.edges]
        assert all(sub.nodes[node] == lineage.nodes[node] and sub.nodes[node] is not lineage.nodes[node]
                   for node in sub)  # attributes copied, not shared


def test_stored_rows_give_the_same_upstream(doc, stored_rows):
    rows = stored_rows[1]
    assert as_lists(graphs.upstream_closure(rows, PREDICTIONS)) == as_lists(graphs.upstream_closure(doc, PREDICTIONS))
    assert graphs.upstream_table(rows, "churn/ingest.py") == graphs.upstream_table(doc, "churn/ingest.py")


def module_graph(names_and_imports: dict[str, list[str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, imports in names_and_imports.items():
        graph.add_node(name, kind="module", label=name)
        for target in imports:
            graph.add_edge(name, target)
    for node in graph:
        graph.nodes[node].update(kind="module", label=node, fan_in=graph.in_degree(node),
                                 size=1 + graph.in_degree(node))
    return graph


def test_aggregate_groups_modules_by_package_prefix():
    graph = module_graph({"a.b.c": ["a.b.d", "x.y"], "a.b.d": ["x.y"], "a.e": [], "x.y": []})
    view = graphs.aggregate(graph, 2)
    assert set(view) == {"group:module:a.b", "a.e", "x.y"}
    group = view.nodes["group:module:a.b"]
    assert group["members"] == ("a.b.c", "a.b.d") and group["label"] == "a.b"
    assert group["size"] == 1 + 2 and group["fan_in"] == 1
    assert view.edges["group:module:a.b", "x.y"]["weight"] == 2
    assert not view.has_edge("group:module:a.b", "group:module:a.b")  # the inner edge is hidden
    assert set(graphs.aggregate(graph, 1)) == {"group:module:a", "x.y"}
    with pytest.raises(MldebtError):
        graphs.aggregate(graph, 0)


def test_aggregate_groups_code_and_artifacts_by_folder(lineage):
    view = graphs.aggregate(lineage, 2)
    assert view.nodes["group:code:upsell/steps"]["members"] == tuple(
        f"code:upsell/steps/s{i}_{name}.py"
        for i, name in enumerate(["clean_usage", "join_accounts", "dedupe", "daily", "features"], start=1))
    assert view.nodes["group:data:data/raw"]["kind"] == "data"
    assert PREDICTIONS in view  # alone in its folder: stays itself
    assert "highlight" not in view.nodes["group:data:data/raw"]
    assert view.nodes["group:model:models"]["highlight"] == "direct_feedback_loop"
    assert sum(data["size"] for _, data in view.nodes(data=True)) == sum(
        data["size"] for _, data in lineage.nodes(data=True))


def synthetic(modules: int, packages: int, depth: int) -> nx.DiGraph:
    names = [".".join([f"p{i % packages}"] + [f"s{(i // packages) % 3}"] * (depth - 1) + [f"m{i}"])
             for i in range(modules)]
    return module_graph({name: [names[(index * 7 + 1) % modules]] for index, name in enumerate(names)})


def test_view_for_keeps_small_graphs_whole_and_aggregates_large_ones(lineage):
    assert graphs.view_for(lineage).depth is None and graphs.view_for(lineage).graph is lineage
    large = synthetic(1000, packages=12, depth=3)
    view = graphs.view_for(large)
    assert len(view.graph) <= DEFAULT_GRAPH_SETTINGS.max_nodes
    assert view.depth == 3 and view.source_nodes == 1000
    assert len(graphs.aggregate(large, view.depth + 1)) > DEFAULT_GRAPH_SETTINGS.max_nodes  # the deepest that fits


def test_view_for_folds_the_smallest_groups_when_depth_one_is_too_many():
    flat = module_graph({f"m{i}": [f"m{(i + 1) % 1000}", "hub"] for i in range(1000)})
    view = graphs.view_for(flat, max_nodes=50)
    assert len(view.graph) == 50
    assert "hub" in view.graph  # the biggest survives
    other = view.graph.nodes[graphs.OTHER_GROUP]
    assert other["label"] == f"{1001 - 49} more groups" and len(other["members"]) == 1001 - 49


def test_expand_opens_one_group_and_keeps_the_rest_aggregated():
    graph = module_graph({"a.b.c": ["a.b.d", "x.y"], "a.b.d": ["x.y"], "a.e": [], "x.y": ["x.z"], "x.z": []})
    view = graphs.aggregate(graph, 1)
    opened = graphs.expand(graph, view, "group:module:a")
    assert set(opened) == {"a.b.c", "a.b.d", "a.e", "group:module:x"}
    assert opened.has_edge("a.b.c", "a.b.d")
    assert opened.edges["a.b.d", "group:module:x"]["weight"] == 1
    with pytest.raises(MldebtError, match="no group"):
        graphs.expand(graph, view, "a.e")


def test_neighbourhood_follows_edges_both_ways(lineage):
    near = graphs.neighbourhood(lineage, "code:churn/score.py", radius=1)
    assert set(near) == {"code:churn/score.py", PREDICTIONS, "file:models/churn_model.joblib",
                         "file:data/features/score.parquet", "file:configs/score.toml"}
    assert len(graphs.neighbourhood(lineage, "code:churn/score.py", radius=2)) > len(near)
    with pytest.raises(MldebtError):
        graphs.neighbourhood(lineage, "code:nowhere.py")


def test_layout_places_every_node_the_same_way_each_time(lineage):
    positions = graphs.layout(lineage)
    assert set(positions) == set(lineage)
    assert positions == graphs.layout(lineage)
    assert all(isinstance(x, float) and abs(x) <= DEFAULT_GRAPH_SETTINGS.layout_scale + 1
               for point in positions.values() for x in point)


def vis_data(page: str, name: str) -> list[dict]:
    start = page.index(f"{name} = new vis.DataSet(") + len(f"{name} = new vis.DataSet(")
    return json.JSONDecoder().raw_decode(page, start)[0]


@pytest.fixture
def hostile_doc(make_repo):
    root = make_repo({
        f"{PAYLOAD}.py": ('import pandas as pd\nfrom pkg import href\n'
                          'pd.read_csv("data/in.csv").to_csv("data/out.csv")\n'),
        "pkg/__init__.py": "",
        "pkg/href.py": 'import pandas as pd\npd.read_csv("data/out.csv")\n',
    })
    return scan_repository(root)


@pytest.mark.parametrize("build", [graphs.import_graph, graphs.lineage_graph])
def test_repository_text_reaches_the_page_only_escaped(hostile_doc, build):
    graph = build(hostile_doc)
    assert any(PAYLOAD in str(node) for node in graph)
    page = graph_html(graph, f"Graph of {PAYLOAD}")
    assert PAYLOAD not in page
    assert "Graph of &lt;img src=x onerror=alert(1)&gt;" in page  # the title, in the legend block
    nodes = vis_data(page, "nodes")
    assert all(re.fullmatch(r"n\d+", node["id"]) for node in nodes)
    assert any(node["label"].startswith(PAYLOAD) for node in nodes)  # as text for the canvas, in escaped JSON
    titles = [item["title"] for item in nodes + vis_data(page, "edges") if item.get("title")]
    href_node = next(node for node in nodes if node["label"] in ("pkg.href", "pkg/href.py"))
    assert "h\u200bref" in href_node["title"]  # readable, yet no "href" for pyvis to switch on
    assert not any("href" in title.lower() for title in titles)
    assert "<h1>" not in page.replace("<h1></h1>", "")  # pyvis' heading stays empty


def test_a_name_is_escaped_once_for_where_it_lands():
    """`a<b>&c` reads as typed on the canvas and in the tooltip (both text for vis-network), escaped in the page's
    script (JSON) and in the HTML legend; the tooltips stay vis-network's text tooltips."""
    graph = nx.DiGraph()
    graph.add_node("a<b>&c", label="a<b>&c", kind="module")
    graph.add_node("data/x.csv", label="data/x.csv", kind="artifact")
    graph.add_edge("a<b>&c", "data/x.csv", mode="<write>")
    page = graph_html(graph, "a<b>&c")
    node = vis_data(page, "nodes")[0]
    assert node["label"] == "a<b>&c" and node["title"].splitlines()[0] == "a<b>&c"
    assert vis_data(page, "edges")[0]["title"] == "<write>"
    assert "a<b>&c" not in page and "a\\u003cb\\u003e\\u0026c" in page  # in the script: JSON-escaped
    assert "<strong>a&lt;b&gt;&amp;c</strong>" in page  # the legend: HTML, escaped once
    assert "popup.innerHTML" not in page and "this.frame.innerText=t" in page  # string tooltips shown as text


def test_the_page_makes_no_network_request(lineage):
    page = graph_html(lineage, "lineage")
    library = [(PYVIS_LIB / "vis-9.1.2" / "vis-network.min.js").read_text().split("//# sourceMappingURL")[0],
               (PYVIS_LIB / "vis-9.1.2" / "vis-network.css").read_text()]
    assert all(text in page for text in library)
    rest = page
    for text in library:
        rest = rest.replace(text, "")
    assert re.findall(r"https?://", rest) == []
    assert re.findall(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", page) == []
    assert "sourceMappingURL" not in page
    assert "<link" not in page.replace('<!-- <link rel="stylesheet" href="../node_modules', "")


def test_the_page_draws_positions_kinds_and_highlights(lineage):
    page = graph_html(lineage, "lineage")
    nodes = vis_data(page, "nodes")
    assert len(nodes) == len(lineage) and len(vis_data(page, "edges")) == lineage.number_of_edges()
    assert all("x" in node and "y" in node for node in nodes)
    assert '"enabled": false' in page.split("var options = ")[1].split(";")[0]  # physics off
    by_label = {node["label"]: node for node in nodes}
    loop_node = by_label["data/predictions/churn_scores.parquet"]
    assert loop_node["borderWidth"] == 4 and loop_node["color"]["border"] == "#e45756"
    assert "direct feedback loop" in page and "prediction" in page  # the legend
    grouped = graph_html(graphs.aggregate(lineage, 1), "grouped")
    assert any(node["shape"] == "square" for node in vis_data(grouped, "nodes"))
