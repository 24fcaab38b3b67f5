"""The data-lineage graph: artifact -> code -> artifact, with upstream closures.

Nodes are artifact ids ('file:…', 'url:…', 'table:…') and code files
('code:<path>'). A read is an edge artifact -> code, a write code -> artifact.
"""

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from mldebt_core.scan.collect.access_apis import MODEL_EXTENSIONS
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.schema import Artifact, DataAccess, LineageEdge

STRONG_MODEL_EXTENSIONS = tuple(e for e in MODEL_EXTENSIONS if e not in (".bin", ".pb", ".pkl", ".pickle", ".model"))
MODEL_APIS = ("joblib.", "torch.", "pickle.", "dill.", "cloudpickle.", "model.", "load_model", "load_weights",
              "tf.saved_model", "keras.")
_PREDICTION_WORDS = re.compile(r"(?:^|[^a-z])(pred|preds|prediction|predictions|predicted|scores|scored|"
                               r"inference|inferences|forecast|forecasts)(?:[^a-z]|$)")


_URI = re.compile(r"^[a-zA-Z][\w+.-]+:/")
_TEXT_EXTENSIONS = (".txt", ".json", ".csv", ".log", ".md", ".html", ".yaml", ".yml", ".png", ".svg")


def code_node(path: str) -> str:
    return f"code:{path}"


def artifact_id(location: str, target: str) -> str:
    if target == "table":
        return f"table:{location}"
    if _URI.match(location) and not location.startswith("file:"):
        return f"url:{location}"  # also registry URIs: models:/churn/3, runs:/<id>/model
    return f"file:{location.removeprefix('file://')}"


@dataclass(frozen=True)
class Lineage:
    graph: nx.DiGraph
    artifacts: dict[str, Artifact]
    edges: list[LineageEdge]
    fitting_files: frozenset[str]


def build_lineage(accesses: list[DataAccess], fitting_files: set[str], predicting_files: set[str]) -> Lineage:
    readers: dict[str, set[str]] = defaultdict(set)
    writers: dict[str, set[str]] = defaultdict(set)
    apis: dict[str, set[str]] = defaultdict(set)
    graph = nx.DiGraph()
    for access in accesses:
        if access.artifact is None or is_test_file(access.file):
            continue
        (readers if access.mode == "read" else writers)[access.artifact].add(access.file)
        apis[access.artifact].add(access.api)
        source, target = ((access.artifact, code_node(access.file)) if access.mode == "read"
                          else (code_node(access.file), access.artifact))
        graph.add_edge(source, target, mode=access.mode)
    roles = {}
    for art in sorted(set(readers) | set(writers)):
        roles[art] = _role(art, apis[art], writers[art], fitting_files)
    for art in sorted(roles):  # predictions: written by code that predicts from a model it reads
        if roles[art] == "data" and any(
                w in predicting_files and any(roles.get(a) == "model" for a in graph.predecessors(code_node(w)))
                for w in writers[art]):
            roles[art] = "prediction"
    artifacts = {}
    for art, role in roles.items():
        ancestors = nx.ancestors(graph, art)
        kind, _, location = art.partition(":")
        artifacts[art] = Artifact(
            id=art, kind=kind, location=location, role=role,
            readers=sorted(readers[art]), writers=sorted(writers[art]),
            upstream=sorted(n for n in ancestors if not n.startswith("code:")),
            upstream_code=sorted(n.removeprefix("code:") for n in ancestors if n.startswith("code:")))
    edges = [LineageEdge(source=s, target=t, mode=d["mode"]) for s, t, d in sorted(graph.edges(data=True))]
    return Lineage(graph, artifacts, edges, frozenset(fitting_files))


def _role(art: str, apis: set[str], writers: set[str], fitting_files: set[str]) -> str:
    location = art.partition(":")[2].lower()
    words = re.split(r"[^a-z0-9]+", posixpath.basename(location.rstrip("/")))
    named_model = any(w.startswith("model") for w in words) and not location.endswith(_TEXT_EXTENSIONS)
    if location.endswith(STRONG_MODEL_EXTENSIONS) or named_model or location.startswith(("models:/", "runs:/")):
        return "model"
    if any(api.startswith(MODEL_APIS) for api in apis) and writers & fitting_files:
        return "model"
    if _PREDICTION_WORDS.search(location.rsplit("/", 2)[-1] if "/" in location else location) \
            or _PREDICTION_WORDS.search(posixpath.dirname(location).rsplit("/", 1)[-1]):
        return "prediction"
    return "data"
