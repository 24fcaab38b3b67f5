"""The across-files stage: the per-file facts joined into what the repository analyses receive.

`resolve_repository` indexes the modules, resolves imports and the locations of data
accesses (imported constants, helper functions, notebook folders), adds what pipeline
frameworks declare (`frameworks`: DVC stages, Kedro nodes, operators), builds the
lineage and gathers the repository-level facts: DVC-tracked outputs, declared
consumers, the languages of the data pipeline.
"""

from dataclasses import dataclass
from pathlib import Path

from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.file_facts import FileResult
from mldebt_core.scan.collect.notebooks import cell_of
from mldebt_core.scan.resolve.accesses import data_accesses, predicted_writes
from mldebt_core.scan.resolve.frameworks import framework_declarations
from mldebt_core.scan.resolve.imports import import_graph
from mldebt_core.scan.resolve.lineage import Lineage, build_lineage
from mldebt_core.scan.resolve.modules import ModuleIndex, module_infos
from mldebt_core.scan.resolve.pipeline_languages import pipeline_languages
from mldebt_core.scan.resolve.repo_info import dvc_outputs
from mldebt_core.scan.schema import DataAccess, ExternalPackage, ImportEdge
from mldebt_core.settings import ScanSettings


@dataclass(frozen=True)
class RepoFacts:
    """Everything known about the repository once its files are joined; the input of every analysis."""
    root: Path
    results: list[FileResult]  # every file, sorted by path
    facts: dict[str, CodeFacts]  # path -> facts, for files that were analysed
    index: ModuleIndex
    import_edges: list[ImportEdge]
    external_packages: list[ExternalPackage]
    accesses: list[DataAccess]
    lineage: Lineage
    dvc_tracked: frozenset[str]  # paths DVC tracks (outs of dvc.yaml, dvc.lock and *.dvc files)
    consumers: dict[str, list[str]]  # artifact location glob -> code path globs ([tool.mldebt.consumers], DVC, Kedro)
    pipeline_languages: dict[str, list[str]]  # language -> code files taking part in the pipeline
    settings: ScanSettings

    def where(self, path: str, line: int) -> str:
        """'path:line', or 'path, cell N, line M' in a notebook, for messages and evidence."""
        cell = cell_of(getattr(self.facts.get(path), "cells", ()), line)
        return f"{path}, cell {cell[0]}, line {cell[1]}" if cell else f"{path}:{line}"

    def detected(self, name: str) -> dict[str, object]:
        """path -> the per-file result of detector `name`, for files where it ran."""
        return {path: f.detected[name] for path, f in self.facts.items() if name in f.detected}


def resolve_repository(root: Path, results: list[FileResult], consumers: dict[str, list[str]],
                       settings: ScanSettings) -> RepoFacts:
    """Join the per-file results (sorted by path) across files; `consumers` come from `declared_consumers`."""
    facts = {r.path: r.facts for r in results if r.facts is not None}
    index = ModuleIndex(module_infos([r.path for r in results if r.language == "Python" and r.skip is None]))
    import_edges, externals = import_graph(facts, index)
    declared = framework_declarations(data_accesses(facts, index, settings), results, facts, index, settings)
    accesses, consumers = declared.accesses, {**declared.consumers, **consumers}
    fitting = {p for p, f in facts.items() if f.fits}
    predicting = {p for p, f in facts.items() if f.predicts}
    lineage = build_lineage(accesses, fitting, predicting, predicted_writes(facts))
    language_of = {r.path: r.language for r in results}
    return RepoFacts(
        root=root, results=results, facts=facts, index=index, import_edges=import_edges, external_packages=externals,
        accesses=accesses, lineage=lineage, dvc_tracked=frozenset(dvc_outputs(root, [r.path for r in results])),
        consumers=consumers, pipeline_languages=pipeline_languages(accesses, facts, language_of, index),
        settings=settings)
