"""Kedro nodes as data accesses of the functions they run.

`node(train_model, inputs=["X_train", "y_train"], outputs="regressor")` with the catalog entry
`regressor: {type: pickle.PickleDataset, filepath: data/06_models/regressor.pickle}` makes the file that
defines train_model the writer of data/06_models/regressor.pickle, at train_model's `def` line (api
`kedro.pickle.PickleDataset`). Inputs and outputs the catalog does not name are in-memory datasets, no
artifact; parameters (`params:…`, `parameters`) are configuration. A node's catalog is the one of the
nearest Kedro project folder above its pipeline file, `local` over `base`; dataset factories (`"{name}_csv"`)
match the most specific pattern first, as Kedro does. Nodes of a file that wraps a pipeline in a namespace
(`pipeline(nodes, namespace="candidate")`) declare nothing here: their datasets are renamed at run time.
A versioned dataset is saved under `<filepath>/{version}/<name>`: each run writes a new version, which the
location says.
"""

import posixpath
import re
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors.pipeline_declarations import CatalogDataset, KedroCatalog
from mldebt_core.scan.collect.detectors.pipeline_steps import Callee, KedroNode, PipelineSteps
from mldebt_core.scan.collect.values import Hole, Value, merge
from mldebt_core.scan.resolve.dvc_stages import DECLARATIONS
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.resolve.script_runs import STEPS, declared_accesses
from mldebt_core.scan.schema import DataAccess

_ENVS = ("base", "local")  # merged in this order: what `kedro run` loads by default
_OMEGACONF = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_PLACEHOLDER = re.compile(r"(?<!\$)\{(\w+)(?::[^}]*)?\}")


@dataclass(frozen=True, slots=True)
class Entry:
    file: str  # the catalog file
    dataset: CatalogDataset


@dataclass(frozen=True, slots=True)
class NodeAccesses:
    node: str  # `pipeline.py:12`: what binds these accesses (a read and a write of one node never loop)
    accesses: list[DataAccess]


def kedro_node_accesses(facts: dict[str, CodeFacts], index: ModuleIndex) -> list[NodeAccesses]:
    catalogs = _catalogs(facts)
    if not catalogs:
        return []
    out = []
    for path in sorted(facts):
        steps = facts[path].detected.get(STEPS)
        if not isinstance(steps, PipelineSteps) or not steps.nodes or steps.namespaced:
            continue  # a namespace renames the nodes' datasets (`candidate.regressor`): no claim
        root = max((r for r in catalogs if not r or path.startswith(r + "/")), key=len, default=None)
        if root is None:
            continue
        for node in steps.nodes:
            home = _definition(path, node.callee, facts, index)
            if home is not None:
                out.append(NodeAccesses(f"{path}:{node.line}", _node_accesses(node, home, catalogs[root])))
    return out


def _catalogs(facts: dict[str, CodeFacts]) -> dict[str, dict[str, Entry]]:
    """Project folder -> dataset name (or factory pattern) -> its catalog entry."""
    found: dict[str, dict[str, dict[str, Entry]]] = {}
    for path in sorted(facts):
        catalog = facts[path].detected.get(DECLARATIONS)
        if isinstance(catalog, KedroCatalog) and catalog.env in _ENVS:
            entries = found.setdefault(catalog.root, {}).setdefault(catalog.env, {})
            entries.update({d.name: Entry(path, d) for d in catalog.datasets})
    return {root: {name: entry for env in _ENVS for name, entry in envs.get(env, {}).items()}
            for root, envs in found.items()}


def _definition(pipeline_file: str, callee: Callee, facts: dict[str, CodeFacts],
                index: ModuleIndex) -> tuple[str, int] | None:
    """(file, `def` line) of the module-level function a node runs, when it is this repository's code."""
    if callee.ref is None:
        path, name = pipeline_file, callee.function
    else:
        ref = callee.ref
        if callee.function:  # `nodes.train` after `from . import nodes` (or `import pkg.nodes as nodes`)
            module = (index.resolve_from(pipeline_file, ref.module, ref.level, ref.name) if ref.name
                      else index.resolve(pipeline_file, ref.module, ref.level))
            name = callee.function
        else:
            module, name = index.resolve(pipeline_file, ref.module, ref.level), ref.name
        if module is None:
            return None
        path = module.path
    steps = facts[path].detected.get(STEPS) if path in facts else None
    line = dict(steps.functions).get(name) if isinstance(steps, PipelineSteps) else None
    return (path, line) if line else None


def _node_accesses(node: KedroNode, home: tuple[str, int], catalog: dict[str, Entry]) -> list[DataAccess]:
    path, line = home
    out = []
    for mode, names in (("read", node.inputs), ("write", node.outputs)):
        for name in names:
            if name == "parameters" or name.startswith("params:"):
                continue
            found = _entry(name, catalog)
            if found is None:
                continue  # not in the catalog: a MemoryDataset, passed in memory between nodes
            entry, location = found
            dataset = entry.dataset
            api = dataset.type if dataset.type.startswith("kedro") else f"kedro.{dataset.type}"
            raw = RawAccess(line, mode, api, location, f"{name} ({entry.file}:{dataset.line})",
                            "table" if dataset.target == "table" else dataset.target)
            out.extend(declared_accesses(path, raw, location))
    return out


def _entry(name: str, catalog: dict[str, Entry]) -> tuple[Entry, Value] | None:
    """The dataset's entry and location: by its name, else by the most specific matching factory pattern."""
    if name in catalog:
        entry = catalog[name]
        return entry, _location(entry.dataset, {})
    for pattern in sorted((p for p in catalog if "{" in p), key=_specificity):
        escaped = re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}")
        try:
            match = re.fullmatch(_PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>.+?)", escaped), name)
        except re.error:
            continue  # `{0}` or a placeholder used twice: not a pattern this scan can match
        if match:
            entry = catalog[pattern]
            return entry, _location(entry.dataset, match.groupdict())
    return None


def _specificity(pattern: str) -> tuple[int, int, str]:
    """Kedro's order: most characters outside placeholders first, then fewest placeholders."""
    return -len(_PLACEHOLDER.sub("", pattern)), len(_PLACEHOLDER.findall(pattern)), pattern


def _location(dataset: CatalogDataset, fields: dict[str, str]) -> Value:
    """`${globals:…}` and other OmegaConf values are holes; factory placeholders are filled from the name."""
    text = _PLACEHOLDER.sub(lambda m: fields.get(m.group(1), m.group(0)), dataset.location)
    parts: list = []
    for i, piece in enumerate(_OMEGACONF.split(text)):
        parts.append(piece if i % 2 == 0 else Hole(piece))
    value = merge(p for p in parts if p != "")
    if dataset.versioned and dataset.target == "path":
        value = merge(value + ("/", Hole("version"), "/" + posixpath.basename(text.rstrip("/"))))
    return value
