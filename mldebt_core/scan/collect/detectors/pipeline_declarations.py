"""Data that pipeline frameworks declare in YAML, read in the worker that reads the file (a TEXT_DETECTOR).

- `dvc.yaml`: each stage's commands, the folder they run in, and the paths the stage depends on (`deps`)
  and produces (`outs`, `metrics`, `plots`), each with its line. `foreach`/`matrix` stages are expanded and
  `${…}` filled from the stage's item and the file's inline `vars`; what is left (`${train.data}` of
  params.yaml) is resolved across files or stays a run-time hole.
- Kedro catalogs (`conf/<env>/catalog*.yml`, `conf/<env>/catalog/…`): each dataset's type, where it lives
  (a path, a table, SQL, a URL), whether Kedro versions it, and its line.

Paths come out repository-relative. Which code runs a stage or a Kedro node is only known across files:
`resolve/frameworks.py` binds them.
"""

import itertools
import posixpath
import re
from dataclasses import dataclass

import yaml

DVC_FILE = "dvc.yaml"
STAGE_SECTIONS = ("deps", "outs", "metrics", "plots")
MAX_STAGE_EXPANSIONS = 64  # foreach/matrix items per stage: a generated stage list stops here, not the scan
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INTERPOLATION = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_URI = re.compile(r"^[a-zA-Z][\w+.-]*://")
_CATALOG_LOCATIONS = (("filepath", "path"), ("path", "path"), ("table_name", "table"), ("table", "table"),
                      ("sql", "sql"), ("query", "sql"), ("url", "path"))


@dataclass(frozen=True, slots=True)
class StagePath:
    path: str  # repository-relative, or a URL; `${…}` where DVC fills in a parameter
    line: int
    section: str  # one of STAGE_SECTIONS


@dataclass(frozen=True, slots=True)
class DvcStage:
    name: str  # `train`, or `train@us` for a foreach item
    line: int
    commands: tuple[str, ...]
    wdir: str  # repository-relative folder the commands run in ("" for the root)
    paths: tuple[StagePath, ...]


@dataclass(frozen=True, slots=True)
class DvcPipeline:
    folder: str  # of dvc.yaml: where its params.yaml lives
    stages: tuple[DvcStage, ...]
    reports: tuple[str, ...] = ()  # top-level `metrics` and `plots` files: reports for DVC's UI


@dataclass(frozen=True, slots=True)
class CatalogDataset:
    name: str  # a dataset name, or a dataset factory pattern (`{name}_csv`)
    type: str  # as written: `pandas.CSVDataset`
    line: int
    location: str  # repository-relative path, URL, table or SQL; `${…}` left as written
    target: str  # "path" | "table" | "sql"
    versioned: bool


@dataclass(frozen=True, slots=True)
class KedroCatalog:
    root: str  # the Kedro project folder, holding conf/ ("" for the repository root)
    env: str  # `base`, `local`…
    datasets: tuple[CatalogDataset, ...]


def applies(path: str, language: str) -> bool:
    return language == "YAML" and (posixpath.basename(path) == DVC_FILE or kedro_catalog_env(path) is not None)


def parse(path: str, text: str) -> DvcPipeline | KedroCatalog | None:
    try:
        documents = list(yaml.compose_all(text, Loader=_YAML_LOADER))
    except (yaml.YAMLError, RecursionError):
        return None  # a broken file declares nothing this scan can trust
    if len(documents) != 1 or not isinstance(documents[0], yaml.MappingNode):
        return None
    if posixpath.basename(path) == DVC_FILE:
        return _dvc(path, documents[0])
    root, env = kedro_catalog_env(path)
    return _catalog(root, env, documents[0])


def kedro_catalog_env(path: str) -> tuple[str, str] | None:
    """(project folder, environment) of a Kedro catalog file, or None: `conf/<env>/` then `catalog*` below."""
    parts = path.split("/")
    if not parts[-1].endswith((".yml", ".yaml")):
        return None
    for i in range(len(parts) - 2):
        if parts[i] == "conf" and any(p.startswith("catalog") for p in parts[i + 2:]):
            return "/".join(parts[:i]), parts[i + 1]
    return None


# -- composed YAML nodes: values with their lines ----------------------------------------------------
def _items(node) -> list[tuple[str, yaml.Node, int]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(k.value), v, k.start_mark.line + 1) for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge"]


def _get(node, key: str):
    return next((v for k, v, _ in _items(node) if k == key), None)


def _scalar(node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.value != "" else None


def _plain(node, budget: list[int]):
    """The node as plain Python values (for foreach items and vars), within a node budget (aliases count again)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too many nodes")
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, budget) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k: _plain(v, budget) for k, v, _ in _items(node)}
    return node.value


# -- dvc.yaml ----------------------------------------------------------------------------------------
def _dvc(path: str, root) -> DvcPipeline | None:
    folder = posixpath.dirname(path)
    try:
        context = _inline_vars(_get(root, "vars"))
        stages = [stage for name, node, line in _items(_get(root, "stages"))
                  for stage in _stages(folder, name, node, line, context)]
    except ValueError:
        return None
    reports = [_repo_path(folder, path) for section in ("metrics", "plots")
               for path in _report_paths(_get(root, section))]
    return DvcPipeline(folder, tuple(stages), tuple(reports)) if stages else None


def _report_paths(node) -> list[str]:
    """`- eval/metrics.json`, `- eval/plots/x.png`, and the files a named plot draws (`y: {file: column}`)."""
    out = []
    for entry in node.value if isinstance(node, yaml.SequenceNode) else []:
        if (path := _scalar(entry)) is not None:
            out.append(path)
        for key, value, _ in _items(entry):
            files = _items(_get(value, "y")) if isinstance(value, yaml.MappingNode) else []
            out.extend([name for name, _, _ in files] if files else [key])
    return out


def _inline_vars(node) -> dict:
    context: dict = {}
    for entry in node.value if isinstance(node, yaml.SequenceNode) else []:
        if isinstance(entry, yaml.MappingNode):  # `- params.yaml` (a file) is resolved across files
            context.update(_plain(entry, [1000]))
    return context


def _stages(folder: str, name: str, node, line: int, context: dict) -> list[DvcStage]:
    foreach, matrix = _get(node, "foreach"), _get(node, "matrix")
    if foreach is None and matrix is None:
        return [_stage(folder, name, node, line, context)]
    budget = [1000]
    if foreach is not None:
        items = _plain(foreach, budget)
        body = _get(node, "do")
        pairs = (list(items.items()) if isinstance(items, dict) else
                 [(str(i), i) for i in items] if isinstance(items, list) else [])
        expanded = [(key, {**context, "item": item, "key": key}) for key, item in pairs]
    else:
        axes = _plain(matrix, budget)
        body = node
        if not isinstance(axes, dict) or not all(isinstance(v, list) for v in axes.values()):
            return []
        combos = itertools.islice(itertools.product(*axes.values()), MAX_STAGE_EXPANSIONS)
        expanded = [("-".join(map(str, combo)), {**context, "item": dict(zip(axes, combo))}) for combo in combos]
    return [_stage(folder, f"{name}@{key}", body, line, scope) for key, scope in expanded[:MAX_STAGE_EXPANSIONS]]


def _stage(folder: str, name: str, node, line: int, context: dict) -> DvcStage:
    cmd = _get(node, "cmd")
    commands = [_scalar(cmd)] if isinstance(cmd, yaml.ScalarNode) else \
        [_scalar(c) for c in cmd.value] if isinstance(cmd, yaml.SequenceNode) else []
    wdir = posixpath.normpath(posixpath.join(folder, _fill(_scalar(_get(node, "wdir")) or ".", context)))
    wdir = "" if wdir == "." else wdir
    paths = []
    for section in STAGE_SECTIONS:
        entries = _get(node, section)
        for entry in entries.value if isinstance(entries, yaml.SequenceNode) else []:
            # `- data/x.csv` or `- model.pkl: {cache: false}` (an out with options)
            key = entry if isinstance(entry, yaml.ScalarNode) else \
                entry.value[0][0] if isinstance(entry, yaml.MappingNode) and entry.value else None
            if (written := _scalar(key)) is not None:
                paths.append(StagePath(_repo_path(wdir, _fill(written, context)), key.start_mark.line + 1, section))
    return DvcStage(name, line, tuple(_fill(c, context) for c in commands if c), wdir, tuple(paths))


def _fill(text: str, context: dict) -> str:
    """`${item}`, `${item.lr}`, `${key}` and inline vars filled in; anything else left as written."""
    def replace(match: re.Match) -> str:
        value = context
        for part in match.group(1).split("."):
            if not isinstance(value, dict) or part not in value:
                return match.group(0)
            value = value[part]
        return match.group(0) if isinstance(value, (dict, list)) else str(value)
    return _INTERPOLATION.sub(replace, text) if "${" in text else text


def _repo_path(folder: str, path: str) -> str:
    if _URI.match(path) or path.startswith(("/", "${")):
        return path
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)


# -- Kedro catalogs ----------------------------------------------------------------------------------
def _catalog(root: str, env: str, document) -> KedroCatalog | None:
    datasets = []
    for name, node, line in _items(document):
        if name.startswith("_") or not isinstance(node, yaml.MappingNode):
            continue  # `_csv: &csv …` is a YAML anchor to reuse, not a dataset
        fields = dict(_flat_items(node))
        kind = fields.get("type", "")
        location = next(((fields[key], target) for key, target in _CATALOG_LOCATIONS if key in fields), None)
        if not kind or location is None:
            continue  # a MemoryDataset or a dataset that names no place: nothing to connect
        text, target = location
        if target == "path" and kind.endswith("QueryDataset"):
            continue  # SQLQueryDataset(filepath=x.sql): the file is a query the scan reads as SQL code, not data
        if target == "table":  # qualified as the warehouse names it: database/schema (BigQuery: dataset)
            scope = fields.get("database") or fields.get("schema") or (fields.get("dataset") if "GBQ" in kind else "")
            text = f"{scope}.{text}" if scope else text
        elif target == "path":
            text = _repo_path(root, text)
        datasets.append(CatalogDataset(name, kind, line, text, target,
                                       fields.get("versioned", "").lower() == "true"))
    return KedroCatalog(root, env, tuple(datasets)) if datasets else None


def _flat_items(node) -> list[tuple[str, str]]:
    """A dataset's scalar fields, anchors merged in (`<<: *csv`), its own keys winning."""
    out: list[tuple[str, str]] = []
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            for base in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                out[:0] = _flat_items(base) if isinstance(base, yaml.MappingNode) else []
        elif isinstance(key, yaml.ScalarNode) and (scalar := _scalar(value)) is not None:
            out.append((str(key.value), scalar))
    return out
