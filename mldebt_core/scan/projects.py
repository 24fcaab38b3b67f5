"""The projects of a monorepo in the scan document.

A monorepo is scanned project by project, each as a repository of its own; `rebased`
moves one project's scan onto repository paths (its files, modules, data locations,
findings), `merged` joins the projects' scans into the repository's, and `project_scan`
cuts the scan of one project out of a repository's, for a user who audits one project
as a system. In a document with projects, module names stay as the project's code
imports them (`Module.project` says whose), and import edges and importers name modules
by node id: `<project path>:<module>` outside the root project (see `graphs.module_node`).

Contract level: imports only the schema, so the store and the commands use `project_scan`
without loading the scanner.
"""

import hashlib
import posixpath
import re
from collections import Counter

from mldebt_core.scan.schema import (
    Artifact,
    CodeHealth,
    DataAccess,
    ExternalPackage,
    Finding,
    LanguageStats,
    LineageEdge,
    Project,
    ScanDocument,
    Summary,
)
from mldebt_core.taxonomy import Severity

ROOT = "."
_NOT_RELATIVE = re.compile(r"^(?:[/~{$]|[A-Za-z][\w+.-]+:/|[A-Za-z]:[\\/])")  # absolute, URL, hole, drive
_TOKEN = re.compile(r"[^\s,;()'\"`\[\]<>]+")
_WHERE = re.compile(r"^(.+?)(:\d+|, cell \d+, line \d+)$")  # 'path:12', 'path, cell 3, line 2'


def module_id(project: str | None, name: str) -> str:
    """The node id of a module in a document with projects (`graphs.module_node` draws the same)."""
    return f"{project}:{name}" if project and project != ROOT else name


def owner(path: str, projects: list[str]) -> str:
    """The deepest of `projects` (paths; '.' the root) holding `path`."""
    folder = posixpath.dirname(path)
    while folder:
        if folder in projects:
            return folder
        folder = posixpath.dirname(folder)
    return ROOT


# --- one project's scan, on repository paths ------------------------------------------------------------


class _Rebase:
    """Paths, locations, artifact ids and module names of one project's scan, as the repository's."""

    def __init__(self, project: str, document: ScanDocument | None = None):
        self.project = project
        self.modules: set[str] = set()
        self.files: set[str] = set()
        self.known: dict[str, str] = {}
        if document is not None:
            self._learn(document)

    def _learn(self, document: ScanDocument) -> None:
        self.modules = {m.name for m in document.modules}
        known = self.known
        self.files = {file.path for file in document.files}
        for file in document.files:
            known[file.path] = self.path(file.path)
            known[f"code:{file.path}"] = f"code:{self.path(file.path)}"
        for artifact in document.artifacts:
            if artifact.kind == "file":
                known[artifact.location] = self.location(artifact.location)
                known[artifact.id] = f"file:{known[artifact.location]}"

    def path(self, path: str) -> str:
        return path if self.project == ROOT else f"{self.project}/{path}"

    def location(self, location: str) -> str:
        """A file location the project's code names: relative ones are read from the project's folder."""
        if self.project == ROOT or _NOT_RELATIVE.match(location):
            return location
        moved = posixpath.normpath(posixpath.join(self.project, location))
        return moved + "/" if location.endswith("/") and not moved.endswith("/") else moved

    def artifact(self, artifact: str | None) -> str | None:
        if artifact is None or not artifact.startswith("file:"):
            return artifact
        return "file:" + self.location(artifact.removeprefix("file:"))

    def node(self, name: str) -> str:
        """An import edge's end or an importer: a module of the project, or a notebook's path."""
        return module_id(self.project, name) if name in self.modules else self.path(name)

    def value(self, text: str) -> str:
        """An evidence value naming a file, a code node or an artifact of the project (maybe with ':line')."""
        if text in self.known:
            return self.known[text]
        where = _WHERE.match(text)
        if where and where.group(1) in self.known:
            return self.known[where.group(1)] + where.group(2)
        return text

    def message(self, text: str) -> str:
        """A finding's message with the project's paths in it made the repository's."""
        def token(match: re.Match) -> str:
            word = match.group()
            core = word.rstrip(".:")
            if core in self.known and self._names_a_path(core):
                return self.known[core] + word[len(core):]
            where = _WHERE.match(word)
            return self.value(word) if where and self._names_a_path(where.group(1)) else word
        return _TOKEN.sub(token, text) if self.project != ROOT else text

    def _names_a_path(self, word: str) -> bool:
        """Prose can hold a word that is also a bare relative location (`pandas>1.0.0`, where a shell line
        redirected to a file `1.0.0`): only the project's files and locations with a folder are rewritten."""
        return "/" in word or word in self.files

    def finding(self, finding: Finding) -> Finding:
        update: dict = {"project": self.project}
        if self.project != ROOT:
            digest = hashlib.sha1(f"{self.project}\0{finding.id}".encode()).hexdigest()[:12]
            update |= {"id": f"{finding.kind}:{digest}", "file": self.path(finding.file) if finding.file else None,
                       "message": self.message(finding.message),
                       "evidence": {key: [self.value(v) for v in value] if isinstance(value, list)
                                    else self.value(value) if isinstance(value, str) else value
                                    for key, value in finding.evidence.items()}}
        return finding.model_copy(update=update)


def rebased(document: ScanDocument, project: str) -> ScanDocument:
    """A project's scan (made with the project's folder as the root) on repository paths: every path, relative
    file location and artifact id gets the project's folder; modules and findings name their project; finding
    ids of a project other than the root are made unique to it (and stay stable across scans)."""
    move = _Rebase(project, document)
    health = document.code_health
    return document.model_copy(update={
        "files": [f.model_copy(update={"path": move.path(f.path)}) for f in document.files],
        "skipped": [s.model_copy(update={"path": move.path(s.path)}) for s in document.skipped],
        "warnings": [w.model_copy(update={"path": move.path(w.path) if w.path else None})
                     for w in document.warnings],
        "modules": [m.model_copy(update={"path": move.path(m.path), "project": project}) for m in document.modules],
        "import_edges": [e.model_copy(update={"source": move.node(e.source), "target": move.node(e.target)})
                         for e in document.import_edges],
        "external_packages": [p.model_copy(update={"imported_by": sorted(move.node(i) for i in p.imported_by)})
                              for p in document.external_packages],
        "data_accesses": rebased_accesses(document.data_accesses, project),
        "artifacts": [_artifact(a, move) for a in document.artifacts],
        "lineage_edges": [LineageEdge(source=move.value(e.source), target=move.value(e.target), mode=e.mode)
                          for e in document.lineage_edges],
        "configs": [c.model_copy(update={"path": move.path(c.path)}) for c in document.configs],
        "config_reads": [r.model_copy(update={"file": move.path(r.file)}) for r in document.config_reads],
        "code_health": health.model_copy(update={
            "glue_share_by_file": {move.path(p): s for p, s in health.glue_share_by_file.items()},
            "longest_intermediate_chain": [move.value(n) for n in health.longest_intermediate_chain]}),
        "findings": [move.finding(f) for f in document.findings],
        "suppressed": [s.model_copy(update={"finding": move.finding(s.finding)}) for s in document.suppressed],
    })


def rebased_accesses(accesses: list[DataAccess], project: str) -> list[DataAccess]:
    """A project's data accesses on repository paths: its files, and the relative file locations they name."""
    move = _Rebase(project)
    return [a.model_copy(update={
        "file": move.path(a.file), "artifact": move.artifact(a.artifact),
        "location": move.location(a.location) if a.location and (a.artifact or "").startswith("file:")
        else a.location}) for a in accesses]


def _artifact(artifact: Artifact, move: _Rebase) -> Artifact:
    location = move.location(artifact.location) if artifact.kind == "file" else artifact.location
    return artifact.model_copy(update={
        "id": move.artifact(artifact.id), "location": location,
        "readers": [move.path(p) for p in artifact.readers], "writers": [move.path(p) for p in artifact.writers]})


# --- the projects' scans, merged ------------------------------------------------------------------------


def merged(documents: list[ScanDocument], projects: list[Project]) -> ScanDocument:
    """The repository's scan from its projects' scans on repository paths (`rebased`), the root's first: lists
    joined and sorted, packages joined by name, artifacts by id, code-health measures added up (shares, chains and
    maxima taken from the largest). The caller replaces what only the whole repository can tell (the lineage
    across projects)."""
    first = documents[0]

    def joined(field: str, key=None) -> list:
        items = [item for document in documents for item in getattr(document, field)]
        return sorted(items, key=key) if key else items

    packages: dict[str, ExternalPackage] = {}
    for package in joined("external_packages"):
        known = packages.get(package.name)
        packages[package.name] = package if known is None else known.model_copy(
            update={"imported_by": sorted({*known.imported_by, *package.imported_by})})
    artifacts: dict[str, Artifact] = {}
    for artifact in joined("artifacts"):
        known = artifacts.get(artifact.id)
        artifacts[artifact.id] = artifact if known is None else known.model_copy(update={
            field: sorted({*getattr(known, field), *getattr(artifact, field)})
            for field in ("readers", "writers")})
    warnings = list(dict.fromkeys(joined("warnings")))
    document = first.model_copy(update={
        "projects": projects,
        "warnings": warnings,
        "files": joined("files", key=lambda f: f.path),
        "skipped": joined("skipped", key=lambda s: (s.path, s.cell or 0)),
        "modules": joined("modules", key=lambda m: (m.name, m.project or "")),
        "import_edges": joined("import_edges", key=lambda e: (e.source, e.target, e.line)),
        "external_packages": [packages[name] for name in sorted(packages)],
        "data_accesses": joined("data_accesses", key=lambda a: a.file),
        "artifacts": [artifacts[key] for key in sorted(artifacts)],
        "lineage_edges": sorted({(e.source, e.target, e.mode): e for e in joined("lineage_edges")}.values(),
                                key=lambda e: (e.source, e.target)),
        "configs": joined("configs", key=lambda c: c.path),
        "config_reads": joined("config_reads", key=lambda r: (r.file, r.line, r.key)),
        "code_health": _health([d.code_health for d in documents]),
        "findings": sorted_findings(joined("findings")),
        "suppressed": joined("suppressed"),
    })
    return summarised(document.model_copy(update={"languages": _file_languages(document)}))


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.kind, f.file or "", f.line or 0, f.id))


def summarised(document: ScanDocument) -> ScanDocument:
    """The document with its summary counted again from its lists."""
    findings = document.findings
    skipped_files = {s.path for s in document.skipped if s.cell is None}
    analysed = [f for f in document.files if f.analysed and f.path not in skipped_files]
    return document.model_copy(update={"summary": Summary(
        files=len(document.files),
        python_files=sum(f.language in ("Python", "Jupyter Notebook") for f in document.files),
        lines=sum(f.lines for f in analysed), skipped=len(document.skipped),
        not_analysed=sum(not f.analysed for f in document.files),
        findings_by_kind=dict(sorted(Counter(f.kind for f in findings).items())),
        findings_by_severity={s.value: n for s in Severity if (n := sum(f.severity == s.value for f in findings))},
        suppressed=len(document.suppressed))})


def _health(measures: list[CodeHealth]) -> CodeHealth:
    def total(field: str) -> int | None:
        values = [getattr(m, field) for m in measures if getattr(m, field) is not None]
        return sum(values) if values else None

    fan_ins = [m.max_join_fan_in for m in measures if m.max_join_fan_in is not None]
    by_file = {path: share for m in measures for path, share in m.glue_share_by_file.items()}
    return CodeHealth(
        code_lines=total("code_lines"), test_lines=total("test_lines"), dead_lines=total("dead_lines"),
        glue_lines=total("glue_lines"), glue_share=None, glue_share_by_file=dict(sorted(by_file.items())),
        longest_intermediate_chain=max((m.longest_intermediate_chain for m in measures), key=len, default=[]),
        read_write_scripts=total("read_write_scripts"), max_join_fan_in=max(fan_ins) if fan_ins else None)


# --- one project's scan, cut from the repository's ------------------------------------------------------


def project_scan(document: ScanDocument, project: str) -> ScanDocument:
    """The scan of one project of a monorepo: its files, modules, edges, data accesses, the artifacts they touch,
    its configuration and findings, counted again; paths stay the repository's. Measures of the whole repository
    that cannot be split by project are null ("not measured"). ValueError when the document has no such project
    (a repository of one project has only '.', the document itself)."""
    paths = [p.path for p in document.projects]
    if not paths and project == ROOT:
        return document
    if project not in paths:
        known = ", ".join(paths) if paths else "none: the repository is one project, '.'"
        raise ValueError(f"no project {project!r} in this scan; its projects: {known}")

    def mine(path: str | None) -> bool:
        return path is not None and owner(path, paths) == project

    modules = [m for m in document.modules if m.project == project or (m.project is None and mine(m.path))]
    ids = {module_id(m.project, m.name) for m in modules}

    def ours(node: str) -> bool:  # a module of the project or one of its notebooks
        return node in ids or mine(node)

    accesses = [a for a in document.data_accesses if mine(a.file)]
    touched = {a.artifact for a in accesses if a.artifact}
    codes = {f"code:{f.path}" for f in document.files if mine(f.path)}
    packages = []
    for package in document.external_packages:
        if importers := [i for i in package.imported_by if ours(i)]:
            packages.append(package.model_copy(update={"imported_by": importers}))
    health = document.code_health
    chain = health.longest_intermediate_chain
    cut = document.model_copy(update={
        "projects": [p for p in document.projects if p.path == project],
        "warnings": [w for w in document.warnings if mine(w.path) or (w.path is None and project == ROOT)],
        "files": [f for f in document.files if mine(f.path)],
        "skipped": [s for s in document.skipped if mine(s.path)],
        "modules": modules,
        "import_edges": [e for e in document.import_edges if ours(e.source)],
        "external_packages": packages,
        "data_accesses": accesses,
        "artifacts": [a for a in document.artifacts if a.id in touched],
        "lineage_edges": [e for e in document.lineage_edges if e.source in codes or e.target in codes],
        "configs": [c for c in document.configs if mine(c.path)],
        "config_reads": [r for r in document.config_reads if mine(r.file)],
        "code_health": CodeHealth(
            glue_share_by_file={p: s for p, s in health.glue_share_by_file.items() if mine(p)},
            longest_intermediate_chain=chain if any(mine(n) for n in chain) else []),
        "findings": [f for f in document.findings if _of(f, project, mine)],
        "suppressed": [s for s in document.suppressed if _of(s.finding, project, mine)],
    })
    cut = cut.model_copy(update={"languages": _file_languages(cut)})
    return summarised(cut)


def _of(finding: Finding, project: str, mine) -> bool:
    return finding.project == project if finding.project is not None else mine(finding.file)


def _file_languages(document: ScanDocument) -> list[LanguageStats]:
    skipped = {s.path for s in document.skipped if s.cell is None}
    files, lines = Counter(), Counter()
    for file in document.files:
        if file.analysed and file.path not in skipped:
            files[file.language] += 1
            lines[file.language] += file.lines
    return [LanguageStats(language=lang, files=files[lang], lines=lines[lang])
            for lang in sorted(files, key=lambda lang: (-lines[lang], lang))]
