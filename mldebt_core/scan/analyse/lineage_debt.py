"""Debt read off the lineage graph: feedback loops, correction cascades,
undeclared consumers, unstable data dependencies and the multiple-language smell.

A repository analysis (REPO_ANALYSES) over the lineage, the data accesses and the
repository-level facts of `RepoFacts` (DVC-tracked files, declared consumers,
pipeline languages).
"""

import fnmatch
import posixpath
import re

import networkx as nx

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.lineage import Lineage, code_node
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import DataAccess, Finding

_VERSION_SEGMENT = re.compile(
    r"(?:^|[/_\-.=@])(?:v\d+(?:\.\d+)*|version[=_\-]?\w+|\d{4}-?\d{2}-?\d{2}(?:t\d+)?|\d{4}[/_\-]\d{2}|"
    r"[0-9a-f]{12,64}|snapshot[=_\-]?\w*|rev[=_\-]?\w+)(?=$|[/_\-.=?])", re.I)
_VERSIONED_HOLE = re.compile(r"\{[^}]*(?:date|day|ds|dt|version|ver|snapshot|run_id|timestamp|ts|hash|sha|"
                             r"commit|rev|month|year|week)[^}]*\}", re.I)


def analyse(repo: RepoFacts) -> Analysis:
    lineage, accesses, settings = repo.lineage, repo.accesses, repo.settings
    files = frozenset(r.path for r in repo.results)
    return Analysis(findings=[
        *feedback_loops(lineage, accesses, settings), *correction_cascades(lineage, accesses, settings),
        *undeclared_consumers(lineage, accesses, repo.consumers, settings),
        *unstable_dependencies(lineage, accesses, files, repo.dvc_tracked, settings),
        *multiple_languages(repo.pipeline_languages, settings)])


def _first(accesses: list[DataAccess], artifact: str, file: str, mode: str = "read") -> DataAccess:
    return next(a for a in accesses if a.artifact == artifact and a.file == file and a.mode == mode)


def feedback_loops(lineage: Lineage, accesses, settings) -> list[Finding]:
    """Cycles through training and a prediction artifact: the model's output becomes its own training
    data. One finding per strongly connected component, with a shortest such cycle as evidence. (A model
    file read back by training is a checkpoint, not a loop.)"""
    findings = []
    graph = lineage.graph
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        trainers = sorted(n for n in component if n.removeprefix("code:") in lineage.fitting_files)
        outputs = sorted(n for n in component if n in lineage.artifacts and lineage.artifacts[n].role == "prediction")
        if not trainers or not outputs:
            continue
        output, trainer = outputs[0], trainers[0]
        inner = graph.subgraph(component)
        reader = min(r for r in graph.successors(output) if r in component)
        cycle = [output, *nx.shortest_path(inner, reader, trainer)]
        cycle += nx.shortest_path(inner, trainer, output)[1:]
        access = _first(accesses, output, reader.removeprefix("code:"))
        findings.append(make_finding(
            "direct_feedback_loop", settings, access.file, access.line, anchor=output,
            message=f"{lineage.artifacts[output].location} ({lineage.artifacts[output].role}) flows back into "
                    f"the training data of {trainer.removeprefix('code:')} through {len(cycle) - 1} steps",
            evidence={"cycle": [_label(n) for n in cycle], "artifact": output}))
    return findings


def correction_cascades(lineage: Lineage, accesses, settings) -> list[Finding]:
    """A model trained on the predictions of another model."""
    findings = []
    graph = lineage.graph
    arts = lineage.artifacts
    for trainer in sorted(lineage.fitting_files):
        node = code_node(trainer)
        if node not in graph:
            continue
        own_models = {a for a in graph.successors(node) if arts[a].role == "model"}
        if not own_models:
            continue
        seen = set()
        for source in sorted(graph.predecessors(node)):
            for prediction in sorted({source, *arts[source].upstream}):
                if prediction in seen or arts[prediction].role != "prediction":
                    continue
                seen.add(prediction)
                producers = {m for w in arts[prediction].writers for m in graph.predecessors(code_node(w))
                             if arts[m].role == "model"}
                if not producers or producers & own_models or own_models & set(arts[prediction].upstream):
                    continue  # its own predictions: a feedback loop, not a cascade
                access = _first(accesses, source, trainer)
                model = sorted(own_models)[0]
                findings.append(make_finding(
                    "correction_cascade", settings, trainer, access.line, anchor=f"{model}|{prediction}",
                    message=f"{arts[model].location} is trained on {arts[prediction].location}, the predictions "
                            f"of {', '.join(arts[p].location for p in sorted(producers))}",
                    evidence={"model": model, "predictions": prediction, "upstream_models": sorted(producers),
                              "via": source}))
    return findings


def undeclared_consumers(lineage: Lineage, accesses, consumers: dict[str, list[str]], settings) -> list[Finding]:
    """Model and prediction artifacts this repository produces, read by code not declared as their consumer."""
    findings = []
    for art in sorted(lineage.artifacts.values(), key=lambda a: a.id):
        if art.role == "data" or not art.writers:  # a model fetched from elsewhere has its own owner
            continue
        declared = [c for pattern, allowed in consumers.items()
                    if fnmatch.fnmatchcase(art.location, pattern) for c in allowed]
        for reader in art.readers:
            if reader in art.writers or any(fnmatch.fnmatchcase(reader, c) for c in declared):
                continue
            access = _first(accesses, art.id, reader)
            findings.append(make_finding(
                "undeclared_consumer", settings, reader, access.line, anchor=art.id,
                message=f"reads {art.role} {art.location} but is not a declared consumer "
                        f"(declare it under [tool.mldebt.consumers])",
                evidence={"artifact": art.id, "declared_consumers": declared}))
    return findings


def unstable_dependencies(lineage: Lineage, accesses, files: frozenset[str], dvc_tracked: frozenset[str],
                          settings) -> list[Finding]:
    """External inputs (read, never written here) with no version, date or hash and no DVC tracking."""
    findings = []
    for art in sorted(lineage.artifacts.values(), key=lambda a: a.id):
        if art.writers or not art.readers or art.location.startswith("{") or is_versioned(art.location):
            continue  # a location that starts at a run-time value ({root}/x) could be anywhere: no claim
        if art.kind == "file" and (_in_repo(art.location, art.readers, files)
                                   or _dvc_tracked(art.location, files, dvc_tracked)):
            continue
        access = _first(accesses, art.id, art.readers[0])
        where = {"url": "a remote URL", "table": "a table", "file": "a path"}[art.kind]
        findings.append(make_finding(
            "unstable_data_dependency", settings, access.file, access.line, anchor=art.id,
            message=f"reads {art.location}: {where} with no version, date or hash and no DVC tracking",
            evidence={"artifact": art.id, "readers": art.readers}))
    return findings


def multiple_languages(languages: dict[str, list[str]], settings) -> list[Finding]:
    if len(languages) < 2:
        return []
    counts = ", ".join(f"{lang} ({len(files)} file{'s' if len(files) > 1 else ''})"
                       for lang, files in sorted(languages.items()))
    return [make_finding(
        "multiple_language", settings, None, None, anchor="",
        message=f"the data pipeline is written in {len(languages)} languages: {counts}",
        evidence={lang: files for lang, files in sorted(languages.items())})]


_REGISTRY_VERSION = re.compile(r"^models:/[^/]+/\d+$")  # a model registry version, not a stage or alias


def is_versioned(location: str) -> bool:
    return bool(_VERSION_SEGMENT.search(location) or _VERSIONED_HOLE.search(location)
                or _REGISTRY_VERSION.match(location))


def _in_repo(location: str, readers: list[str], files: frozenset[str]) -> bool:
    candidates = [location, *(posixpath.normpath(posixpath.join(posixpath.dirname(r), location)) for r in readers)]
    return any(c in files for c in candidates)


def _dvc_tracked(location: str, files: frozenset[str], dvc_tracked: frozenset[str]) -> bool:
    path = posixpath.normpath(location)
    while path not in ("", ".", "/", ".."):
        if path in dvc_tracked or f"{path}.dvc" in files:
            return True
        path = posixpath.dirname(path)
    return False


def _label(node: str) -> str:
    return node.removeprefix("code:")
