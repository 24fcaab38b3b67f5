"""`scan_repository`: the whole scan, from a folder to a ScanDocument.

Orchestration only: discover the files, collect each file's facts (read and parsed
once, in parallel over the CPU cores), resolve them across files in this process,
run every registered repository analysis, and assemble the document. Every scan ends in
`finalised`: the repository's suppressions, then each finding's excerpt (the lines it cites,
from the text collection read: no file is opened twice).

A monorepo (`resolve/projects.py`) is scanned project by project: every file is collected
in the one pass, under its path in its project; each project is resolved and analysed as a
repository of its own, its scan rebased to the repository (`scan/projects.py`); the scans
are merged, and the lineage debts are read off the lineage joined across projects.
"""

import gc
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path

from mldebt_core import __version__
from mldebt_core.errors import MldebtError
from mldebt_core.scan.analyse import REPO_ANALYSES, config_debt, dead_code, glue, lineage_debt
from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.analyse.suppress import answer_back
from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.excerpts import Excerpts
from mldebt_core.scan.collect.file_facts import FileResult, collect_within_budget
from mldebt_core.scan.collect.notebooks import cell_of
from mldebt_core.scan.collect.walk import PYTHON_LANGUAGES, RepoFile, discover, printable
from mldebt_core.scan.projects import ROOT, merged, owner, rebased, rebased_accesses, sorted_findings, summarised
from mldebt_core.scan.resolve.git_head import git_identity
from mldebt_core.scan.resolve.projects import ProjectRoot, find_projects, joined_config, joined_repository
from mldebt_core.scan.resolve.repo_facts import RepoFacts, resolve_repository
from mldebt_core.scan.resolve.repo_info import RepoConfig, repo_config
from mldebt_core.scan.schema import (
    CodeHealth,
    FileEntry,
    Finding,
    LanguageStats,
    Module,
    Project,
    RepoIdentity,
    ScanDocument,
    ScanWarning,
    SkippedFile,
    Summary,
    Tool,
)
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS, ScanSettings
from mldebt_core.taxonomy import Severity

Progress = Callable[[int, int], None]  # (files done, files in all)
# In a monorepo, read off the whole repository rather than each project: the lineage joined across projects (one
# project may write what another reads), unreferenced code (a name one project uses keeps another's alive) and
# configuration (a setting one project declares may be read by another; copies are judged per project there).
JOINED_KINDS = frozenset({"direct_feedback_loop", "correction_cascade", "undeclared_consumer",
                          "unstable_data_dependency", "dead_experimental_codepath", "config_debt"})
PROJECT_ANALYSES = [analyse for analyse in REPO_ANALYSES if analyse not in (dead_code.analyse, config_debt.config_debt)]


def scan_repository(root: str | os.PathLike, system: str | None = None,
                    settings: ScanSettings = DEFAULT_SCAN_SETTINGS, progress: Progress | None = None) -> ScanDocument:
    root = Path(root)
    if not root.is_dir():
        raise MldebtError(f"{root}: not a directory; give the path of a repository to scan")
    budget = settings.time_budget_s
    deadline = None if budget is None else time.monotonic() + budget
    config = repo_config(root)  # [tool.mldebt]: consumers, exclusions, ignores; its mistakes become warnings
    discovery = discover(root, deadline)
    files = [file for file in discovery.files if not config.excluded(file.path)]
    system = system or printable(root.resolve().name)
    if projects := find_projects(root, files, discovery.marker_dirs):
        document, config, repo, read = _scan_projects(root, files, projects, config, system, settings, progress,
                                                      deadline)
    else:
        results = _collect_all(files, settings, progress, deadline)
        repo = resolve_repository(root, results, config.consumers, settings)
        document = assemble(repo, [analyse(repo) for analyse in REPO_ANALYSES], system)
        read = len(results)
    document = finalised(document, config, repo)
    if discovery.stopped or read < len(files):
        document = document.model_copy(update={"warnings": [*document.warnings, ScanWarning(path=None, message=(
            f"the scan's time budget of {budget:g} s (ScanSettings.time_budget_s) was spent: {read} of "
            f"{len(files)} files found were read, the others are not in this scan"
            + ("; folders not walked yet are not counted" if discovery.stopped else "")))]})
    return document


def finalised(document: ScanDocument, config: RepoConfig, repo: RepoFacts) -> ScanDocument:
    """The last step of every scan, on findings with their final ids, paths, cells and projects: the repository's
    suppressions applied (`answer_back`), then each finding, kept or suppressed, given the code lines it cites
    from the texts collection read (`collect/excerpts.py`)."""
    document = answer_back(document, config, repo)
    excerpts = Excerpts.of_results(repo.results)

    def cited(finding: Finding) -> Finding:
        return finding.model_copy(update={"excerpt": excerpts.of(finding.file, finding.line, finding.cell)})

    return document.model_copy(update={
        "findings": [cited(f) for f in document.findings],
        "suppressed": [s.model_copy(update={"finding": cited(s.finding)}) for s in document.suppressed]})


def _scan_projects(root: Path, files: list[RepoFile], projects: list[ProjectRoot], config: RepoConfig, system: str,
                   settings: ScanSettings, progress: Progress | None, deadline: float | None
                   ) -> tuple[ScanDocument, RepoConfig, RepoFacts, int]:
    """A monorepo: each project scanned as a repository of its own, its files collected with all the others; the
    merged document, with the repository's configuration and facts joined over the projects for `finalised`, and
    how many files were read before the deadline."""
    paths = [p.path for p in projects]
    folders = {p.path: p.folder for p in projects}
    configs = {p: config if p == ROOT else repo_config(folders[p], root) for p in paths}
    local: dict[str, list[RepoFile]] = {p: [] for p in paths}
    for file in files:
        project = owner(file.path, paths)
        path = file.path if project == ROOT else file.path[len(project) + 1:]
        if project == ROOT or not configs[project].excluded(path):
            local[project].append(replace(file, path=path))
    collected = _collect_all([f for p in paths for f in local[p]], settings, progress, deadline)
    results = iter(collected)
    parts, documents = [], []
    for project in paths:  # past the deadline, a project has fewer results than files, or none
        repo = resolve_repository(folders[project], list(islice(results, len(local[project]))),
                                  configs[project].consumers, settings)
        parts.append((project, repo))
        documents.append(rebased(assemble(repo, [analyse(repo) for analyse in PROJECT_ANALYSES], system), project))
    document = merged(documents, [Project(path=p.path, name=p.name, markers=list(p.markers)) for p in projects])
    whole_config = joined_config(configs)
    accesses = [a for project, repo in parts for a in rebased_accesses(repo.accesses, project)]  # lines not in cells
    whole = joined_repository(root, parts, accesses, settings)
    lineage, dead, config = lineage_debt.analyse(whole), dead_code.analyse(whole), config_debt.config_debt(whole)
    joined = _in_cells([f.model_copy(update={"project": owner(f.file, paths) if f.file else ROOT})
                        for f in [*lineage.findings, *dead.findings, *config.findings] if f.kind in JOINED_KINDS],
                       whole.facts)
    glue_share = glue.analyse(whole).code_health.get("glue_share")  # of all the code, not of one project
    document = summarised(document.model_copy(update={
        "artifacts": sorted(whole.lineage.artifacts.values(), key=lambda a: a.id),
        "lineage_edges": whole.lineage.edges,
        "configs": config.configs, "config_reads": config.config_reads,
        "findings": sorted_findings([*(f for f in document.findings if f.kind not in JOINED_KINDS), *joined]),
        "code_health": document.code_health.model_copy(update={"glue_share": glue_share, **dead.code_health})}))
    return document, whole_config, whole, len(collected)


def _collect_all(files, settings: ScanSettings, progress: Progress | None, deadline: float | None = None
                 ) -> list[FileResult]:
    """Per-file collection with Python's cyclic garbage collector off: ASTs hold no cycles, and
    collecting them cost a third of the scan; refcounting frees each tree after its file. Once `deadline`
    passes, the files not collected yet are left out: the results are those of the first files."""
    collect = partial(collect_within_budget, settings=settings)
    late = (lambda: False) if deadline is None else (lambda: time.monotonic() > deadline)
    total = len(files)
    workers = settings.workers or os.cpu_count() or 1
    if total < settings.parallel_min_files or workers == 1:
        results = []
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for done, file in enumerate(files, 1):
                if late():
                    break
                results.append(collect(file))
                if progress:
                    progress(done, total)
        finally:
            if was_enabled:
                gc.enable()
        return results
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    results = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.disable) as pool:
        for done, result in enumerate(pool.map(collect, files, chunksize=max(1, min(32, total // (workers * 8)))), 1):
            results.append(result)
            if progress:
                progress(done, total)
            if late():
                pool.shutdown(wait=True, cancel_futures=True)  # the chunks under way finish, within their budgets
                break
    return results


def assemble(repo: RepoFacts, analyses: list[Analysis], system: str) -> ScanDocument:
    """The scan document: the resolved repository and what the analyses found, findings sorted."""
    results = repo.results
    findings = sorted((f for a in analyses for f in a.findings),
                      key=lambda f: (f.kind, f.file or "", f.line or 0, f.id))
    health = {key: value for a in analyses for key, value in a.code_health.items()}
    accesses, findings = _in_cells(repo.accesses, repo.facts), _in_cells(findings, repo.facts)
    commit, branch = git_identity(repo.root)
    analysed = [r for r in results if r.skip is None and not r.asset]
    skipped = sorted([*((r.path, r.skip) for r in results if r.skip is not None),
                      *((r.path, cell) for r in results for cell in r.skipped_cells)],
                     key=lambda item: (item[0], item[1].cell or 0))
    return ScanDocument(
        tool=Tool(version=__version__),
        repo=RepoIdentity(name=system, commit=commit, branch=branch, scanned_at=_now()),
        summary=Summary(
            files=len(results), python_files=sum(r.language in PYTHON_LANGUAGES for r in results),
            lines=sum(r.lines for r in analysed), skipped=len(skipped),
            not_analysed=sum(r.asset for r in results),
            findings_by_kind=dict(sorted(Counter(f.kind for f in findings).items())),
            findings_by_severity={s.value: n for s in Severity
                                  if (n := sum(f.severity == s.value for f in findings))}),
        languages=_languages(analysed),
        files=[FileEntry(path=r.path, language=r.language, lines=r.lines if r.skip is None else 0, bytes=r.size,
                         analysed=not r.asset) for r in results],
        skipped=[SkippedFile(path=path, reason=skip.reason, detail=skip.detail, line=skip.line, cell=skip.cell)
                 for path, skip in skipped],
        modules=[Module(name=m.name, path=m.path, is_package=m.is_package)
                 for m in sorted(repo.index.by_path.values(), key=lambda m: m.name)],
        import_edges=repo.import_edges,
        external_packages=repo.external_packages,
        data_accesses=accesses,
        artifacts=sorted(repo.lineage.artifacts.values(), key=lambda a: a.id),
        lineage_edges=repo.lineage.edges,
        configs=sorted((c for a in analyses for c in a.configs), key=lambda c: c.path),
        config_reads=sorted((r for a in analyses for r in a.config_reads), key=lambda r: (r.file, r.line, r.key)),
        code_health=CodeHealth(**health),
        findings=findings,
    )


def _in_cells(items: list, facts: dict[str, CodeFacts]) -> list:
    """Notebook locations as (cell, line in cell), the way notebook editors number them."""
    out = []
    for item in items:
        cell = cell_of(facts[item.file].cells, item.line) if item.file in facts and item.line else None
        out.append(item.model_copy(update={"cell": cell[0], "line": cell[1]}) if cell else item)
    return out


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _languages(results: list[FileResult]) -> list[LanguageStats]:
    files, lines = Counter(), Counter()
    for r in results:
        files[r.language] += 1
        lines[r.language] += r.lines
    return [LanguageStats(language=lang, files=files[lang], lines=lines[lang])
            for lang in sorted(files, key=lambda lang: (-lines[lang], lang))]
