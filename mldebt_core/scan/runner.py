"""`scan_repository`: the whole scan, from a folder to a ScanDocument.

Each file is read and parsed once, in parallel over the CPU cores; facts are then
joined across files (module names, imported constants, lineage) in this process.
"""

import gc
import multiprocessing
import os
import posixpath
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from mldebt_core import __version__
from mldebt_core.errors import MldebtError
from mldebt_core.scan.detectors import REPO_ANALYSES, Analysis, RepoFacts
from mldebt_core.scan.file_facts import FileResult, analyse_file
from mldebt_core.scan.notebooks import cell_of
from mldebt_core.scan.lineage import artifact_id, build_lineage, is_test_file
from mldebt_core.scan.lineage_debt import RepoContext, lineage_findings
from mldebt_core.scan.modules import ML_PACKAGES, ModuleIndex, external_package, module_infos
from mldebt_core.scan.code_facts import CallSite, CodeFacts, RawAccess
from mldebt_core.scan.repo_info import declared_consumers, dvc_outputs, git_identity
from mldebt_core.scan.schema import (
    CodeHealth, DataAccess, ExternalPackage, FileEntry, ImportEdge, LanguageStats, Module, RepoIdentity, ScanDocument,
    SkippedFile, Summary, Tool,
)
from mldebt_core.scan.sql import tables
from mldebt_core.scan.values import Hole, Ref, Value, merge, render, render_raw
from mldebt_core.scan.walk import PROGRAMMING_LANGUAGES, discover_files
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS, ScanSettings
from mldebt_core.taxonomy import Severity

Progress = Callable[[int, int], None]  # (files done, files in all)
PYTHON_LANGUAGES = ("Python", "Jupyter Notebook")


def scan_repository(root: str | os.PathLike, system: str | None = None,
                    settings: ScanSettings = DEFAULT_SCAN_SETTINGS, progress: Progress | None = None) -> ScanDocument:
    root = Path(root)
    if not root.is_dir():
        raise MldebtError(f"{root}: not a directory; give the path of a repository to scan")
    consumers = declared_consumers(root)
    files = discover_files(root)
    results = _analyse_all(files, settings, progress)
    return assemble(root, system or root.resolve().name, results, consumers, settings)


def _analyse_all(files, settings: ScanSettings, progress: Progress | None) -> list[FileResult]:
    """Per-file analysis with Python's cyclic garbage collector off: ASTs hold no cycles, and
    collecting them cost a third of the scan; refcounting frees each tree after its file."""
    analyse = partial(analyse_file, settings=settings)
    total = len(files)
    workers = settings.workers or os.cpu_count() or 1
    if total < settings.parallel_min_files or workers == 1:
        results = []
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for done, file in enumerate(files, 1):
                results.append(analyse(file))
                if progress:
                    progress(done, total)
        finally:
            if was_enabled:
                gc.enable()
        return results
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    results = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.disable) as pool:
        for done, result in enumerate(pool.map(analyse, files, chunksize=max(1, min(32, total // (workers * 8)))), 1):
            results.append(result)
            if progress:
                progress(done, total)
    return results


def assemble(root: Path, system: str, results: list[FileResult], consumers: dict[str, list[str]],
             settings: ScanSettings) -> ScanDocument:
    paths = [r.path for r in results]
    facts = {r.path: r.facts for r in results if r.facts is not None}
    index = ModuleIndex(module_infos([r.path for r in results if r.language == "Python" and r.skip is None]))
    import_edges, externals = _imports(facts, index)
    accesses = _accesses(facts, index, settings)
    fitting = {p for p, f in facts.items() if f.fits}
    predicting = {p for p, f in facts.items() if f.predicts}
    lineage = build_lineage(accesses, fitting, predicting)
    language_of = {r.path: r.language for r in results}
    context = RepoContext(files=frozenset(paths), dvc_tracked=frozenset(dvc_outputs(root, paths)),
                          consumers=consumers,
                          pipeline_languages=_pipeline_languages(accesses, facts, language_of, index))
    analyses = [Analysis(findings=lineage_findings(lineage, accesses, context, settings))]
    repo = RepoFacts(root, results, facts, index, lineage, accesses, settings)
    analyses += [analyse(repo) for analyse in REPO_ANALYSES]
    findings = sorted((f for a in analyses for f in a.findings), key=lambda f: (f.kind, f.file or "", f.line or 0, f.id))
    health = {key: value for a in analyses for key, value in a.code_health.items()}
    accesses, findings = _in_cells(accesses, facts), _in_cells(findings, facts)
    commit, branch = git_identity(root)
    analysed = [r for r in results if r.skip is None]
    return ScanDocument(
        tool=Tool(version=__version__),
        repo=RepoIdentity(name=system, commit=commit, branch=branch, scanned_at=_now()),
        summary=Summary(
            files=len(results), python_files=sum(r.language in PYTHON_LANGUAGES for r in results),
            lines=sum(r.lines for r in analysed), skipped=len(results) - len(analysed),
            findings_by_kind=dict(sorted(Counter(f.kind for f in findings).items())),
            findings_by_severity={s.value: n for s in Severity
                                  if (n := sum(f.severity == s.value for f in findings))}),
        languages=_languages(analysed),
        files=[FileEntry(path=r.path, language=r.language, lines=r.lines if r.skip is None else 0, bytes=r.size)
               for r in results],
        skipped=[SkippedFile(path=r.path, reason=r.skip.reason, detail=r.skip.detail, line=r.skip.line)
                 for r in results if r.skip is not None],
        modules=[Module(name=m.name, path=m.path, is_package=m.is_package) for m in sorted(index.by_path.values(), key=lambda m: m.name)],
        import_edges=import_edges,
        external_packages=externals,
        data_accesses=accesses,
        artifacts=sorted(lineage.artifacts.values(), key=lambda a: a.id),
        lineage_edges=lineage.edges,
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


def _imports(facts: dict[str, CodeFacts], index: ModuleIndex) -> tuple[list[ImportEdge], list[ExternalPackage]]:
    edges = set()
    imported_by: dict[str, set[str]] = defaultdict(set)
    for path, fact in facts.items():
        importer = index.by_path.get(path)
        source = importer.name if importer else path
        for imp in fact.imports:
            resolved = index.targets(path, imp)
            for target in resolved:
                if target.path != path:
                    edges.add((source, target.name, imp.line))
            if not resolved and not imp.level and (package := external_package(imp.module)):
                imported_by[package].add(source)
    return ([ImportEdge(source=s, target=t, line=n) for s, t, n in sorted(edges)],
            [ExternalPackage(name=p, ml=p in ML_PACKAGES, imported_by=sorted(imported_by[p]))
             for p in sorted(imported_by)])


def _accesses(facts: dict[str, CodeFacts], index: ModuleIndex, settings: ScanSettings) -> list[DataAccess]:
    depth = settings.value_resolution_depth
    helpers = defaultdict(list)  # (file, function) -> what it reads/writes through a parameter
    for path, fact in facts.items():
        for param_access in fact.param_accesses:
            helpers[path, param_access.function].append(param_access)
    out = []
    for path in sorted(facts):
        for raw in facts[path].accesses:
            out.extend(_data_accesses(path, raw, _resolve(raw.value, path, facts, index, depth)))
        for call in facts[path].call_sites:
            out.extend(_through_helper(path, call, helpers, facts, index, depth))
    return [_relative_to_notebook(a) if a.file.endswith(".ipynb") else a for a in out]


def _through_helper(path: str, call: CallSite, helpers, facts, index: ModuleIndex, depth: int) -> list[DataAccess]:
    """`read_dataframe("data/x.parquet")` where read_dataframe reads its parameter: the access happens here,
    at the call, with the caller's argument as the location (one level of helpers deep)."""
    if call.bound is None:
        home = path
    else:
        module = index.resolve(path, call.bound.module, call.bound.level)
        home = module.path if module else None
    out = []
    for summary in helpers.get((home, call.bound.name if call.bound else call.callee), []):
        arg = (call.args[summary.position] if summary.position is not None and summary.position < len(call.args)
               else next(((v, t) for k, v, t in call.kwargs if k == summary.param), None))
        if arg is None:
            continue
        argument, expression = arg
        template = _resolve(summary.access.value, home, facts, index, depth)
        value = merge(part for p in template for part in (
            _resolve(argument, path, facts, index, depth) if p == Hole(summary.param) else (p,)))
        raw = RawAccess(call.line, summary.access.mode, f"{summary.access.api} via {call.callee}()", value,
                        expression, summary.access.target, call.function)
        out.extend(_data_accesses(path, raw, value))
    return out


def _relative_to_notebook(access: DataAccess) -> DataAccess:
    """A notebook runs in its own folder: its relative paths start there, not at the repository root."""
    if access.artifact is None or not access.artifact.startswith("file:") or access.location.startswith("/"):
        return access
    location = posixpath.normpath(posixpath.join(posixpath.dirname(access.file), access.location))
    return access.model_copy(update={"location": location, "artifact": artifact_id(location, "path")})


def _data_accesses(path: str, raw: RawAccess, value: Value) -> list[DataAccess]:
    location, resolution = render(value)
    if raw.target == "sql":
        read, written = tables(render_raw(value))
        targets = [("read", t) for t in read] + [("write", t) for t in written]
        if targets:
            return [DataAccess(file=path, line=raw.line, mode=mode, api=raw.api, location=table,
                               resolution="partial" if "{" in table else "resolved", expression=raw.expression,
                               artifact=artifact_id(table, "table")) for mode, table in targets]
        if resolution == "resolved":
            return []  # literal SQL that touches no table (DDL, `SELECT 1`): no data access
        location, resolution = None, "unresolved"
    elif raw.target == "table" and location is not None:
        location = "".join(p if isinstance(p, str) else "{…}" for p in value)
    elif location is not None and not _looks_like_path(render_raw(value)):
        location, resolution = None, "unresolved"  # weights="imagenet", /proc/…: not a place data lives
    return [DataAccess(file=path, line=raw.line, mode=raw.mode, api=raw.api, location=location,
                       resolution=resolution, expression=raw.expression,
                       artifact=artifact_id(location, raw.target) if location else None)]


def _looks_like_path(text: str) -> bool:
    return any(c in text for c in "/.{\\:") and not text.startswith(("/proc/", "/sys/", "/dev/"))


def _resolve(value: Value, importer: str, facts: dict[str, CodeFacts], index: ModuleIndex, depth: int) -> Value:
    """Replace each Ref (a name imported from another module) with that module's constant, if known."""
    if depth <= 0 or not any(isinstance(p, Ref) for p in value):
        return value
    out: list = []
    for part in value:
        if not isinstance(part, Ref):
            out.append(part)
            continue
        target = index.resolve(importer, part.module, part.level)
        constant = facts[target.path].constants.get(part.name) if target and target.path in facts else None
        if constant is None:
            out.append(Hole(f"{part.module}.{part.name}".lstrip(".") if part.name else part.module))
        else:
            out.extend(_resolve(constant, target.path, facts, index, depth - 1))
    return merge(out)


def _pipeline_languages(accesses: list[DataAccess], facts: dict[str, CodeFacts], language_of: dict[str, str],
                        index: ModuleIndex) -> dict[str, list[str]]:
    """Languages of the code that reads or writes data, or runs a step that does."""
    members = {a.file for a in accesses if a.artifact is not None and not is_test_file(a.file)}
    for path, fact in facts.items():
        for _, target in fact.runs:
            script = target if target.endswith(".py") else None
            module = index.by_name.get(target)
            if (script and posixpath.normpath(script) in members) or (module and module.path in members):
                members.add(path)
    by_language: dict[str, list[str]] = defaultdict(list)
    for path in sorted(members):
        language = "Python" if language_of[path] in PYTHON_LANGUAGES else language_of[path]
        if language in PROGRAMMING_LANGUAGES:
            by_language[language].append(path)
    return dict(by_language)
