"""`scan_repository`: the whole scan, from a folder to a ScanDocument.

Orchestration only: discover the files, collect each file's facts (read and parsed
once, in parallel over the CPU cores), resolve them across files in this process,
run every registered repository analysis, and assemble the document.
"""

import gc
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from mldebt_core import __version__
from mldebt_core.errors import MldebtError
from mldebt_core.scan.analyse import REPO_ANALYSES
from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.file_facts import FileResult, collect_file
from mldebt_core.scan.collect.notebooks import cell_of
from mldebt_core.scan.collect.walk import PYTHON_LANGUAGES, discover_files
from mldebt_core.scan.resolve.repo_facts import RepoFacts, resolve_repository
from mldebt_core.scan.resolve.repo_info import declared_consumers, git_identity
from mldebt_core.scan.schema import (
    CodeHealth,
    FileEntry,
    LanguageStats,
    Module,
    RepoIdentity,
    ScanDocument,
    SkippedFile,
    Summary,
    Tool,
)
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS, ScanSettings
from mldebt_core.taxonomy import Severity

Progress = Callable[[int, int], None]  # (files done, files in all)


def scan_repository(root: str | os.PathLike, system: str | None = None,
                    settings: ScanSettings = DEFAULT_SCAN_SETTINGS, progress: Progress | None = None) -> ScanDocument:
    root = Path(root)
    if not root.is_dir():
        raise MldebtError(f"{root}: not a directory; give the path of a repository to scan")
    consumers = declared_consumers(root)  # a malformed [tool.mldebt] fails the scan before any work
    files = discover_files(root)
    results = _collect_all(files, settings, progress)
    repo = resolve_repository(root, results, consumers, settings)
    analyses = [analyse(repo) for analyse in REPO_ANALYSES]
    return assemble(repo, analyses, system or root.resolve().name)


def _collect_all(files, settings: ScanSettings, progress: Progress | None) -> list[FileResult]:
    """Per-file collection with Python's cyclic garbage collector off: ASTs hold no cycles, and
    collecting them cost a third of the scan; refcounting frees each tree after its file."""
    collect = partial(collect_file, settings=settings)
    total = len(files)
    workers = settings.workers or os.cpu_count() or 1
    if total < settings.parallel_min_files or workers == 1:
        results = []
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for done, file in enumerate(files, 1):
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
    skipped = [r for r in results if r.skip is not None]
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
        skipped=[SkippedFile(path=r.path, reason=r.skip.reason, detail=r.skip.detail, line=r.skip.line)
                 for r in skipped],
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
