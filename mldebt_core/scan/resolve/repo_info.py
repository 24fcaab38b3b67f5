"""Facts about the scanned repository read from its metadata files, as text.

Git identity is read from .git directly (no git process, no hooks); declarations
come from the optional `[tool.mldebt]` table of the repository's pyproject.toml.
"""

import os
import tomllib
from pathlib import Path

import yaml

from mldebt_core.errors import MldebtError


def git_identity(root: Path) -> tuple[str | None, str | None]:
    """(commit, branch) of HEAD, when `root` is the top of a git work tree."""
    git = root / ".git"
    if git.is_file():  # worktree or submodule: "gitdir: <path>"
        text = git.read_text(errors="replace").strip()
        if not text.startswith("gitdir:"):
            return None, None
        git = (root / text.removeprefix("gitdir:").strip()).resolve()
    head_file = git / "HEAD"
    if not head_file.is_file():
        return None, None
    head = head_file.read_text(errors="replace").strip()
    if not head.startswith("ref:"):
        return (head or None), None
    ref = head.removeprefix("ref:").strip()
    branch = ref.removeprefix("refs/heads/")
    for base in (git, _common_dir(git)):
        ref_file = base / ref
        if ref_file.is_file():
            return ref_file.read_text(errors="replace").strip() or None, branch
        packed = base / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(errors="replace").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref:
                    return sha, branch
    return None, branch


def _common_dir(git: Path) -> Path:
    common = git / "commondir"
    return (git / common.read_text().strip()).resolve() if common.is_file() else git


def declared_consumers(root: Path) -> dict[str, list[str]]:
    """`[tool.mldebt.consumers]`: artifact location (glob) -> code paths (globs) allowed to read it."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    try:
        with open(pyproject, "rb") as handle:
            document = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MldebtError(f"{pyproject.name}: not valid TOML ({error}); fix it or remove [tool.mldebt]") from None
    table = document.get("tool", {}).get("mldebt", {})
    consumers = table.get("consumers", {}) if isinstance(table, dict) else None
    if not isinstance(consumers, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in consumers.values()):
        raise MldebtError(f"{pyproject.name}: [tool.mldebt.consumers] must map artifact paths to lists of "
                          "code paths, e.g. \"models/churn.joblib\" = [\"src/score.py\"]")
    return consumers


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
        except yaml.YAMLError:
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
