"""Facts about the scanned repository read from its metadata files, as text.

Declared consumers, exclusions and ignores come from the optional `[tool.mldebt]` table of the
repository's pyproject.toml (`repo_config`), whose mistakes are warnings of the scan, never a
failure; the git identity is `git_head.py`'s.
"""

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pathspec
import yaml

from mldebt_core.scan.collect.confined import inside, real_root
from mldebt_core.scan.collect.ignores import gitignore_spec
from mldebt_core.scan.schema import ScanWarning
from mldebt_core.taxonomy import KINDS

TOOL_KEYS = ("consumers", "exclude", "ignore")
IGNORE_KEYS = ("paths", "reason")


@dataclass(frozen=True)
class KindIgnore:
    """One `[tool.mldebt.ignore]` entry: findings of `kind` in files matching `paths` (all of them when empty)."""
    kind: str
    paths: tuple[str, ...]
    reason: str = ""

    def covers(self, file: str | None) -> bool:
        return not self.paths or (file is not None and _spec(self.paths).match_file(file))


@dataclass(frozen=True)
class RepoConfig:
    """`[tool.mldebt]` of the repository's pyproject.toml, validated; what is wrong in it is a warning, never a
    failed scan: the part in error is left out and the scan goes on."""
    consumers: dict[str, list[str]] = field(default_factory=dict)
    """artifact location (glob) -> code paths (globs) allowed to read it"""
    exclude: tuple[str, ...] = ()
    """path globs of files the scan does not read at all"""
    ignores: tuple[KindIgnore, ...] = ()
    warnings: tuple[ScanWarning, ...] = ()

    def excluded(self, path: str) -> bool:
        return bool(self.exclude) and _spec(self.exclude).match_file(path)


def repo_config(root: Path, repository: Path | None = None) -> RepoConfig:
    """Read `[tool.mldebt]`: `consumers`, `exclude` and `ignore` (see docs/detectors.md, "Answering back"), from
    the pyproject.toml of `root` when it lies inside `repository` (default `root`) once its links are resolved."""
    pyproject = root / "pyproject.toml"
    if not os.path.lexists(pyproject):
        return RepoConfig()
    if (path := inside(pyproject, real_root(repository or root))) is None:
        return RepoConfig(warnings=(ScanWarning(path=pyproject.name, message=(
            "a link out of the repository or not a regular file: not read, no declared consumers, exclusions "
            "or ignores apply")),))
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, RecursionError) as error:
        reason = "nested too deeply to read" if isinstance(error, RecursionError) else f"not valid TOML ({error})"
        return RepoConfig(warnings=(ScanWarning(path=pyproject.name, message=(
            f"{reason}; [tool.mldebt] was not read: no declared consumers, exclusions or ignores apply")),))
    tool = document.get("tool")
    table = tool.get("mldebt") if isinstance(tool, dict) else None
    if table is None:
        return RepoConfig()
    problems: list[str] = []
    if not isinstance(table, dict):
        problems.append(f"[tool.mldebt] must be a table, not a {_toml_type(table)}; it was not read")
        table = {}
    if unknown := [key for key in table if key not in TOOL_KEYS]:
        problems.append(f"[tool.mldebt]: unknown key(s) {_names(unknown)} left out; the known keys are "
                        f"{', '.join(TOOL_KEYS)}")
    return RepoConfig(consumers=_consumers(table.get("consumers", {}), problems),
                      exclude=_globs(table.get("exclude", []), "[tool.mldebt] exclude", problems),
                      ignores=_ignores(table.get("ignore", {}), problems),
                      warnings=tuple(ScanWarning(path=pyproject.name, message=problem) for problem in problems))


def _consumers(value, problems: list[str]) -> dict[str, list[str]]:
    if isinstance(value, dict) and all(isinstance(v, list) and all(isinstance(c, str) for c in v)
                                       for v in value.values()):
        return value
    problems.append("[tool.mldebt.consumers] must map artifact paths to lists of code paths, e.g. "
                    "\"models/churn.joblib\" = [\"src/score.py\"]; no consumers were declared")
    return {}


def _globs(value, where: str, problems: list[str]) -> tuple[str, ...]:
    """Path globs (gitignore syntax); a value that is not a list of them is left out with a warning."""
    if not isinstance(value, list) or not all(isinstance(g, str) and g.strip() for g in value):
        problems.append(f"{where} must be a list of path globs, e.g. [\"vendor/\", \"src/ui/*.py\"]; "
                        f"{_shown(value)} was left out")
        return ()
    globs = []
    for glob in value:
        try:
            _spec((glob,))
        except ValueError as error:  # pathspec's pattern errors are ValueErrors
            problems.append(f"{where}: {glob!r} is not a path glob ({error}); it was left out")
        else:
            globs.append(glob)
    return tuple(globs)


def _ignores(value, problems: list[str]) -> tuple[KindIgnore, ...]:
    """`kind = [globs]`, or `kind = { paths = [globs], reason = "..." }` (no paths: everywhere)."""
    if not isinstance(value, dict):
        problems.append(f"[tool.mldebt.ignore] must be a table of finding kinds, not a {_toml_type(value)}; "
                        "nothing was ignored")
        return ()
    ignores = []
    for kind, entry in value.items():
        where = f"[tool.mldebt.ignore] {kind}"
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            problems.append(f"[tool.mldebt.ignore]: {kind!r} is no finding kind"
                            + (f" (did you mean {close[0]!r}?)" if close else " (see docs/detectors.md)")
                            + "; the entry was left out")
        elif isinstance(entry, list):
            if not entry:
                problems.append(f"{where}: an empty list ignores nothing; to ignore every {kind} finding write "
                                f"{kind} = {{ reason = \"why\" }}")
            elif paths := _globs(entry, where, problems):
                ignores.append(KindIgnore(kind, paths))
        elif isinstance(entry, dict):
            unknown = [key for key in entry if key not in IGNORE_KEYS]
            reason = entry.get("reason", "")
            if unknown:  # a misspelt `paths` must not turn into "everywhere"
                problems.append(f"{where}: unknown key(s) {_names(unknown)}; the known keys are paths and reason; "
                                "the entry was left out")
            elif not isinstance(reason, str):
                problems.append(f"{where}: reason must be a string; the entry was left out")
            elif "paths" not in entry:
                ignores.append(KindIgnore(kind, (), reason.strip()))
            elif paths := _globs(entry["paths"], f"{where} paths", problems):
                ignores.append(KindIgnore(kind, paths, reason.strip()))
        else:
            problems.append(f"{where} must be a list of path globs or a table {{ paths = [...], reason = \"...\" "
                            f"}}, not a {_toml_type(entry)}; the entry was left out")
    return tuple(ignores)


@lru_cache(maxsize=256)
def _spec(globs: tuple[str, ...]) -> pathspec.PathSpec:
    """Globs as .gitignore reads them: `*` within a folder, `**` across folders, `dir/` for all under it."""
    return gitignore_spec(globs)  # written by the repository: matched in linear time


def _names(keys: list[str]) -> str:
    return ", ".join(repr(key) for key in keys)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _toml_type(value) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "float", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)


def dvc_outputs(root: Path, files: list[str]) -> set[str]:
    """Paths DVC tracks: `outs` of dvc.yaml/dvc.lock stages and of *.dvc files."""
    tracked = set()
    for path in files:
        name = os.path.basename(path)
        if name not in ("dvc.yaml", "dvc.lock") and not name.endswith(".dvc"):
            continue
        folder = os.path.dirname(path)
        try:
            document = yaml.safe_load((root / path).read_text(errors="replace"))
        except (yaml.YAMLError, OSError, RecursionError):  # also a name shown printable, not UTF-8 on disk: not found
            continue
        for out in _outs(document):
            tracked.add(os.path.normpath(os.path.join(folder, out)))
    return tracked


def _outs(document) -> list[str]:
    if not isinstance(document, dict):
        return []
    found = []
    stages = document.get("stages") if isinstance(document.get("stages"), dict) else {}
    for entry in [document, *stages.values()]:
        for out in (entry.get("outs") or []) if isinstance(entry, dict) else []:
            path = out.get("path") if isinstance(out, dict) and "path" in out else \
                next(iter(out), None) if isinstance(out, dict) else out
            if isinstance(path, str):
                found.append(path)
    return found
