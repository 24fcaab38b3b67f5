"""The data-lineage graph: artifact -> code -> artifact (direct edges; closures are derived when needed).

Nodes are artifact ids ('file:…', 'url:…', 'table:…') and code files
('code:<path>'). A read is an edge artifact -> code, a write code -> artifact.
"""

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mldebt_core.scan.collect.access_apis import MODEL_EXTENSIONS
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.schema import Artifact, DataAccess, LineageEdge

if TYPE_CHECKING:
    import networkx as nx

STRONG_MODEL_EXTENSIONS = tuple(e for e in MODEL_EXTENSIONS if e not in (".bin", ".pb", ".pkl", ".pickle", ".model"))
MODEL_APIS = ("joblib.", "torch.", "pickle.", "dill.", "cloudpickle.", "model.", "load_model", "load_weights",
              "tf.saved_model", "keras.", "kedro.pickle.")
MODEL_ONLY_APIS = frozenset({"huggingface.from_pretrained", "huggingface.save_pretrained", "wandb.log_model",
                             "wandb.use_model", "sagemaker.Model", "aiplatform.Model.upload"})
REGISTRY_MODEL_URIS = ("url:models:/", "url:runs:/", "url:hopsworks://models/", "url:vertex://models/",
                       "url:sagemaker://model-packages/")
_PREDICTION_WORDS = re.compile(r"(?:^|[^a-z])(pred|preds|prediction|predictions|predicted|scores|scored|"
                               r"inference|inferences|forecast|forecasts)(?:[^a-z]|$)")
# A folder of predictions is named for what it holds (`predictions/`, `scored/`); `churn-prediction/` names a project.
_PREDICTION_FOLDER = re.compile(r"(?:^|[^a-z])(preds|predictions|predicted|scores|scored|inferences|forecasts)"
                                r"(?:[^a-z]|$)")


_FIGURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".svg", ".pdf", ".gif", ".html", ".htm", ".mp4")
_URI = re.compile(r"^[a-zA-Z][\w+.-]+:/")
_UNKNOWN_BUCKET = re.compile(r"^(gs|s3|gcs|s3a)://\{[^{}]*\}/(?=[^{])")
"""a bucket known only at run time (`gs://{settings.BUCKET}/x.parquet`, `gs://{bucket}/x.parquet`): one bucket
per repository, so that a writer and a reader that name it differently meet at the object"""
_TEXT_EXTENSIONS = (".txt", ".json", ".csv", ".log", ".md", ".html", ".yaml", ".yml", ".png", ".svg")
_TABLE_EXTENSIONS = (".parquet", ".pq", ".feather", ".arrow", ".tsv", ".xlsx", ".xls", ".orc", ".avro", ".jsonl")
"""data files: a `model_input_table.parquet` named after a model is still a table of data"""


def code_node(path: str) -> str:
    return f"code:{path}"


def artifact_id(location: str, target: str) -> str:
    if target == "table":
        return f"table:{location}"
    if _URI.match(location) and not location.startswith("file:"):
        location = _UNKNOWN_BUCKET.sub(r"\1://{bucket}/", location)
        return f"url:{registry_object(location)}"  # also registry URIs: models:/churn/3, runs:/<id>/model
    return f"file:{location.removeprefix('file://')}"


_REGISTRY_VERSION = (
    (re.compile(r"^(models:/[^/@]+)(?:/[^/]+|@[^/]+)$"), r"\1"),  # models:/churn/3, /Production, @champion
    (re.compile(r"^(hf://(?:datasets/|spaces/)?[^@/]+(?:/[^@/]+)?)@[^/]+"), r"\1"),  # hf://org/name@rev/file
    (re.compile(r"^(hopsworks://(?:fg|fv|models)/[^/]+)/v\w+$"), r"\1"),  # hopsworks://fg/iris/v1
    (re.compile(r"^wandb://(?:[^/:]+/)*([^/:]+)(?::[^/]+)?$"), r"wandb://\1"),  # wandb://team/proj/name:alias
)


def registry_object(location: str) -> str:
    """A registry's object without its version, stage or alias: a model registered here and the same model
    loaded at `models:/churn/Production` are one artifact (the location of each access keeps the version)."""
    for pattern, replacement in _REGISTRY_VERSION:
        location = pattern.sub(replacement, location)
    return location


@dataclass(frozen=True)
class Lineage:
    artifacts: dict[str, Artifact]
    edges: list[LineageEdge]
    fitting_files: frozenset[str]

    @cached_property
    def graph(self) -> "nx.DiGraph":
        import networkx as nx  # a tenth of a second of start-up: only paid when an analysis walks the graph

        graph = nx.DiGraph()
        graph.add_edges_from((e.source, e.target, {"mode": e.mode}) for e in self.edges)
        return graph

    @cached_property
    def _upstream(self) -> dict[str, frozenset[str]]:
        return {}

    def upstream(self, node: str) -> frozenset[str]:
        """The artifact ids `node` is derived from (transitively; never itself, also on a cycle), for the nodes an
        analysis asks about only: one reachability pass each, remembered, never all pairs."""
        if node not in self._upstream:
            import networkx as nx

            found = nx.ancestors(self.graph, node) if node in self.graph else set()
            self._upstream[node] = frozenset(n for n in found if not n.startswith("code:"))
        return self._upstream[node]


def build_lineage(accesses: list[DataAccess], fitting_files: set[str], predicting_files: set[str],
                  predicted_writes: frozenset[tuple[str, int]] = frozenset()) -> Lineage:
    """The graph of the accesses. An artifact is a prediction when a write of it is in `predicted_writes`
    ((file, line) of writes whose value comes from a model's predictions, collect/predictions.py) or by its
    name; `predicting_files` is no longer needed for that (a file that predicts may write other data too)."""
    readers: dict[str, set[str]] = defaultdict(set)
    writers: dict[str, set[str]] = defaultdict(set)
    apis: dict[str, set[str]] = defaultdict(set)
    modes: dict[tuple[str, str], str] = {}
    for access in accesses:
        if access.artifact is None or is_test_file(access.file):
            continue
        (readers if access.mode == "read" else writers)[access.artifact].add(access.file)
        apis[access.artifact].add(access.api)
        source, target = ((access.artifact, code_node(access.file)) if access.mode == "read"
                          else (code_node(access.file), access.artifact))
        modes[source, target] = access.mode
    predicted = {a.artifact for a in accesses if a.mode == "write" and (a.file, a.line) in predicted_writes}
    roles = {}
    for art in sorted(set(readers) | set(writers)):
        roles[art] = _role(art, apis[art], writers[art], fitting_files)
        if art in predicted and (not _named_model(art) or _prediction_named(art.partition(":")[2].lower())) \
                and not _figure(art):
            roles[art] = "prediction"  # the value written came from a model's predictions (`model.pkl` never)
    artifacts = {}
    for art, role in roles.items():
        kind, _, location = art.partition(":")
        artifacts[art] = Artifact(id=art, kind=kind, location=location, role=role,
                                  readers=sorted(readers[art]), writers=sorted(writers[art]))
    edges = [LineageEdge(source=s, target=t, mode=mode) for (s, t), mode in sorted(modes.items())]
    return Lineage(artifacts, edges, frozenset(fitting_files))


def _named_model(art: str) -> bool:
    """A model by its name: `best_model.pkl`, a registry model, a hub model (a `.pt` file may hold tensors)."""
    location = art.partition(":")[2].lower()
    words = re.split(r"[^a-z0-9]+", posixpath.basename(location.rstrip("/")))
    named_model = any(w.startswith("model") for w in words) and not location.endswith(
        _TEXT_EXTENSIONS + _TABLE_EXTENSIONS)
    return named_model or art.startswith(REGISTRY_MODEL_URIS) \
        or (art.startswith("url:hf://") and not art.startswith(("url:hf://datasets/", "url:hf://spaces/")))


def _role(art: str, apis: set[str], writers: set[str], fitting_files: set[str]) -> str:
    location = art.partition(":")[2].lower()
    if location.endswith(STRONG_MODEL_EXTENSIONS) or _named_model(art):
        return "model"
    if any(api.startswith(MODEL_APIS) for api in apis) and writers & fitting_files:
        return "model"
    if any(api in MODEL_ONLY_APIS or api.endswith(("load_model", "log_model", "load_weights")) for api in apis):
        return "model"  # only models go through these APIs (from_pretrained, mlflow.*.load_model…)
    return "prediction" if _prediction_named(location) and not _figure(art) else "data"


def _figure(art: str) -> bool:
    """A chart of predictions (`prediction_scatter.png`) is a report for people, not predictions a system reads."""
    return art.lower().endswith(_FIGURE_EXTENSIONS)


def _prediction_named(location: str) -> bool:
    return bool(_PREDICTION_WORDS.search(location.rsplit("/", 2)[-1] if "/" in location else location)
                or _PREDICTION_FOLDER.search(posixpath.dirname(location).rsplit("/", 1)[-1]))
