"""The projects of a repository, and the whole repository joined from them.

A monorepo holds several projects, each run from its own folder: its modules are named,
its imports resolved and its relative paths read from there. A project is a folder with
code of its own and a manifest (`pyproject.toml`, `setup.py`, `setup.cfg`,
`requirements*.txt`, `Pipfile`) or the root of a pipeline framework (Kedro `.kedro.yml`
or `[tool.kedro]`, ZenML `.zen/`, DVC `.dvc/` or `dvc.yaml`, an MLflow `MLproject`). Folders of tests, examples,
docs, notebooks and other prototypes, and hidden folders, are no projects of their own:
they belong to the project around them, which sees them for what they are. The files of
no other project belong to the root, `.`.

The runner scans each project as a repository of its own; `joined_repository` puts their
resolved facts back together, on repository paths, for what only the whole repository
shows: lineage across projects.
"""

import posixpath
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from mldebt_core.scan.collect.code_facts import ImportFact
from mldebt_core.scan.collect.paths import NON_PRODUCTION_FOLDERS, PROTOTYPE_FOLDERS
from mldebt_core.scan.collect.walk import PROGRAMMING_LANGUAGES, RepoFile, language_of
from mldebt_core.scan.projects import ROOT, module_id, owner
from mldebt_core.scan.resolve.accesses import predicted_writes
from mldebt_core.scan.resolve.lineage import build_lineage
from mldebt_core.scan.resolve.modules import ModuleIndex, ModuleInfo
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.resolve.repo_info import KindIgnore, RepoConfig
from mldebt_core.scan.schema import DataAccess
from mldebt_core.settings import ScanSettings

MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
FRAMEWORK_FILES = {".kedro.yml": "kedro", "dvc.yaml": "dvc.yaml", "MLproject": "MLproject"}
NOT_PROJECT_FOLDERS = PROTOTYPE_FOLDERS | NON_PRODUCTION_FOLDERS | {"tests", "test", "testing", "fixtures"}
PIPELINE_ROOTS = {"dvc.yaml"}
"""markers of a pipeline whose folder is one project, whatever manifests lie below (Kedro: its `kedro` marker). A
`.dvc` folder alone is not one: `dvc init` at the top of a monorepo versions data for all its projects."""


@dataclass(frozen=True)
class ProjectRoot:
    path: str  # relative to the repository root; '.' for the root
    name: str
    markers: tuple[str, ...]
    folder: Path  # on disk (where `path`, printable, shows a name that is not UTF-8 differently)


def find_projects(root: Path, files: list[RepoFile], marker_dirs: dict[str, list[str]]) -> list[ProjectRoot]:
    """The projects of the repository, the root first; [] when it is one project."""
    markers: dict[str, list[str]] = {folder: list(found) for folder, found in marker_dirs.items()}
    pyprojects: dict[str, RepoFile] = {}
    on_disk: dict[str, Path] = {}
    code_folders: dict[str, int] = {}
    for file in files:
        folder, _, name = file.path.rpartition("/")
        marker = _marker(name)
        if marker:
            markers.setdefault(folder, []).append(marker)
            on_disk.setdefault(folder, Path(file.absolute).parent)
            if name == "pyproject.toml":
                pyprojects[folder] = file
        if language_of(name) in PROGRAMMING_LANGUAGES:
            code_folders[folder] = code_folders.get(folder, 0) + 1
    tables = {folder: _pyproject(pyprojects[folder]) for folder in pyprojects if _may_be_project(folder) or not folder}
    # a DVC or Kedro pipeline spans its whole folder: a manifest below it (`src/requirements.txt`) is part of it
    pipelines = [folder for folder, found in markers.items()
                 if set(found) & PIPELINE_ROOTS or "kedro" in _markers(found, tables.get(folder))]
    candidates = {folder for folder in markers if folder and _may_be_project(folder)
                  and not any(not p or folder.startswith(p + "/") for p in pipelines)}
    # A candidate without code of its own (its code all in deeper projects) is none: decide the deepest first.
    alive = set(candidates)
    for folder in sorted(candidates, key=lambda f: -f.count("/")):
        if not _owns_code(folder, alive, code_folders):
            alive.discard(folder)
    if not alive:
        return []
    return [ProjectRoot(ROOT, _name(tables.get(""), root.resolve().name), _markers(markers.get(""), tables.get("")),
                        root),
            *(ProjectRoot(folder, _name(tables.get(folder), folder), _markers(markers[folder], tables.get(folder)),
                          _on_disk(root, folder, on_disk)) for folder in sorted(alive))]


def _on_disk(root: Path, folder: str, seen: dict[str, Path]) -> Path:
    """The project's folder: its path under the root, or, for a name that is not UTF-8, where its files are."""
    path = root / folder
    return path if path.is_dir() or folder not in seen else seen[folder]


def _marker(name: str) -> str | None:
    if name in MANIFESTS:
        return name
    if name.startswith("requirements") and name.endswith(".txt"):
        return name
    return FRAMEWORK_FILES.get(name)


def _may_be_project(folder: str) -> bool:
    parts = folder.split("/")
    return not any(part.startswith((".", "_")) or part.lower() in NOT_PROJECT_FOLDERS for part in parts)


def _owns_code(folder: str, alive: set[str], code_folders: dict[str, int]) -> bool:
    prefix = folder + "/"
    for code_folder in code_folders:
        if code_folder != folder and not code_folder.startswith(prefix):
            continue
        owner = code_folder
        while owner and owner not in alive:
            owner = posixpath.dirname(owner)
        if owner == folder:
            return True
    return False


def _pyproject(file: RepoFile) -> dict:
    try:
        with open(file.absolute, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return {}  # the root's is reported by repo_config; a project's only names it
    return document if isinstance(document, dict) else {}


def _name(table: dict | None, folder: str) -> str:
    """The name its pyproject.toml gives it, else its folder's; a template's (cookiecutter) is its first plain
    folder up: `spaceflights/{{ cookiecutter.repo_name }}` is spaceflights."""
    for section in (table or {}).get("project"), ((table or {}).get("tool") or {}).get("poetry"):
        if isinstance(section, dict) and isinstance(section.get("name"), str) and section["name"].strip() \
                and "{{" not in section["name"]:
            return section["name"].strip()
    return next((part for part in reversed(folder.split("/")) if "{{" not in part), folder)


def _markers(found: list[str] | None, table: dict | None) -> tuple[str, ...]:
    markers = sorted(set(found or ()))
    tool = (table or {}).get("tool")
    if isinstance(tool, dict) and "kedro" in tool and "kedro" not in markers:
        markers.append("kedro")
    return tuple(markers)


# --- the whole repository, joined from its projects ----------------------------------------------------


def joined_repository(root: Path, parts: list[tuple[str, RepoFacts]], accesses: list[DataAccess],
                      settings: ScanSettings) -> RepoFacts:
    """One RepoFacts over repository paths from the projects' own (project path, facts) and their data accesses
    rebased to the repository: the lineage across projects is built from those accesses."""
    results, facts, dvc, languages, consumers, predicted = [], {}, set(), {}, {}, set()
    for project, repo in parts:
        results.extend(replace(r, path=_at(project, r.path)) for r in repo.results)
        facts.update({_at(project, path): fact for path, fact in repo.facts.items()})
        dvc.update(posixpath.normpath(_at(project, path)) for path in repo.dvc_tracked)
        for language, paths in repo.pipeline_languages.items():
            languages.setdefault(language, []).extend(_at(project, p) for p in paths)
        consumers.update(rebased_consumers(project, repo.consumers))  # declared, and what frameworks declare
        predicted.update((_at(project, path), line) for path, line in predicted_writes(repo.facts))
    results.sort(key=lambda r: r.path)
    fitting = {p for p, f in facts.items() if f.fits}
    predicting = {p for p, f in facts.items() if f.predicts}
    lineage = build_lineage(accesses, fitting, predicting, frozenset(predicted))
    index = ProjectsIndex([(project, repo.index) for project, repo in parts])
    return replace(  # from the root's facts, so that what this function does not join stays defined
        parts[0][1], root=root, results=results, facts=facts, index=index, import_edges=[],
        external_packages=[], accesses=accesses, lineage=lineage, dvc_tracked=frozenset(dvc), consumers=consumers,
        pipeline_languages={k: sorted(v) for k, v in sorted(languages.items())}, settings=settings)


def _at(project: str, path: str) -> str:
    return path if project == ROOT else f"{project}/{path}"


class ProjectsIndex:
    """The module index of a monorepo on repository paths (the `ModuleIndex` interface): each file's imports
    resolve in its own project; `by_name` is keyed by node id (`<project>:<module>` outside the root)."""

    def __init__(self, parts: list[tuple[str, ModuleIndex]]):
        self._indexes = dict(parts)
        self._projects = list(self._indexes)
        self.by_path: dict[str, ModuleInfo] = {}
        self.by_name: dict[str, ModuleInfo] = {}
        for project, index in parts:
            for info in index.by_path.values():
                moved = ModuleInfo(info.name, _at(project, info.path), info.is_package)
                self.by_path[moved.path] = moved
                self.by_name.setdefault(module_id(project, info.name), moved)

    def _local(self, importer: str) -> tuple[str, ModuleIndex, str]:
        project = owner(importer, self._projects)
        return project, self._indexes[project], importer if project == ROOT else importer[len(project) + 1:]

    def _moved(self, project: str, info: ModuleInfo | None) -> ModuleInfo | None:
        return None if info is None else self.by_path.get(_at(project, info.path))

    def resolve(self, importer: str, module: str, level: int) -> ModuleInfo | None:
        project, index, local = self._local(importer)
        return self._moved(project, index.resolve(local, module, level))

    def resolve_from(self, importer: str, module: str, level: int, name: str) -> ModuleInfo | None:
        project, index, local = self._local(importer)
        return self._moved(project, index.resolve_from(local, module, level, name))

    def targets(self, importer: str, imp: ImportFact) -> list[ModuleInfo]:
        project, index, local = self._local(importer)
        return [moved for t in index.targets(local, imp) if (moved := self._moved(project, t)) is not None]


def rebased_consumers(project: str, consumers: dict[str, list[str]]) -> dict[str, list[str]]:
    """A project's `[tool.mldebt.consumers]`, its globs made relative to the repository."""
    if project == ROOT:
        return consumers
    def at(glob: str) -> str:
        return glob if glob.startswith(("/", "*")) or "://" in glob else f"{project}/{glob}"
    return {at(location): [at(code) for code in codes] for location, codes in consumers.items()}


def joined_config(configs: dict[str, RepoConfig]) -> RepoConfig:
    """The `[tool.mldebt]` tables of the root ('.') and of the projects, as one over repository paths: each
    project's consumers and ignores apply to its own files (its exclusions were applied when it was collected)."""
    root = configs[ROOT]
    consumers = dict(root.consumers)
    ignores = list(root.ignores)
    warnings = list(root.warnings)
    for project, config in configs.items():
        if project == ROOT:
            continue
        consumers.update(rebased_consumers(project, config.consumers))
        ignores.extend(KindIgnore(i.kind, tuple(_rebased_glob(project, g) for g in i.paths) or (f"{project}/",),
                                  i.reason) for i in config.ignores)
        warnings.extend(w.model_copy(update={"path": f"{project}/{w.path}" if w.path else project})
                        for w in config.warnings)
    return replace(root, consumers=consumers, ignores=tuple(ignores), warnings=tuple(warnings))


def _rebased_glob(project: str, glob: str) -> str:
    """A gitignore-style glob of a project's folder, as the repository's: a glob with a slash is anchored at the
    project's folder, one without matches at any depth below it."""
    negated, glob = (glob.startswith("!"), glob.removeprefix("!"))
    body = glob.rstrip("/")
    moved = f"{project}/{glob.lstrip('/')}" if "/" in body else f"{project}/**/{glob}"
    return ("!" if negated else "") + moved
