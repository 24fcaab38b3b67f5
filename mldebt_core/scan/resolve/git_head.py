"""The commit and branch of HEAD, read from `.git` itself: no git process, no hooks, no config.

What `.git` holds is the repository's to write, so it is read as hostile input: every file is
read through `confined` (links resolved, inside the repository root: a HEAD linked to
/proc/self/environ, a `ref: ../../x`, a `gitdir:` or `commondir` elsewhere are not followed),
in bounded amounts, and only a well-formed answer is kept: the commit is a hex object id (SHA-1
or SHA-256), the branch a valid ref name; anything else is recorded as unknown (null), never as
the text that was read.
"""

import os
import re
from pathlib import Path

from mldebt_core.scan.collect.confined import read_inside, real_root

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF_PART = re.compile(r"[^\x00-\x20\x7f~^:?*\[\\]+")  # what `git check-ref-format` allows in a component
_SMALL = 4096  # bytes; HEAD, a loose ref, a `.git` file and `commondir` hold one short line
_PACKED_REFS = 64 << 20  # bytes; packed-refs of very large repositories stay far below


def git_identity(root: Path) -> tuple[str | None, str | None]:
    """(commit, branch) of HEAD when `root` is the top of a git work tree; each None when unknown or not well
    formed."""
    top = real_root(root)
    git = _git_dir(top)
    if git is None:
        return None, None
    head = _line(read_inside(os.path.join(git, "HEAD"), top, _SMALL))
    if head is None:
        return None, None
    if not head.startswith("ref:"):
        return _object_id(head), None
    ref = head.removeprefix("ref:").strip()
    if not valid_ref(ref):
        return None, None
    branch = ref.removeprefix("refs/heads/")
    for base in dict.fromkeys((git, _common_dir(git, top))):
        if base is None:
            continue
        if (loose := read_inside(os.path.join(base, *ref.split("/")), top, _SMALL)) is not None:
            return _object_id(_line(loose)), branch
        packed = read_inside(os.path.join(base, "packed-refs"), top, _PACKED_REFS)
        for line in (packed or b"").decode("ascii", "replace").splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return _object_id(sha), branch
    return None, branch


def valid_ref(ref: str) -> bool:
    """A full ref name as `git check-ref-format` accepts it, under refs/ (what HEAD may point to)."""
    parts = ref.split("/")
    return (ref.startswith("refs/") and len(ref) <= 1024 and "@{" not in ref and len(parts) >= 2
            and not ref.endswith(".")
            and all(_REF_PART.fullmatch(p) and not p.startswith(".") and not p.endswith(".lock") for p in parts))


def _git_dir(top: str) -> str | None:
    """The git directory of the work tree at `top`: `.git`, or where a `.git` file's `gitdir:` points, only when
    it lies inside `top`."""
    dot_git = os.path.join(top, ".git")
    if os.path.isdir(dot_git):
        return _dir_inside(dot_git, top)
    text = _line(read_inside(dot_git, top, _SMALL))
    if text is None or not text.startswith("gitdir:"):
        return None
    return _dir_inside(os.path.join(top, text.removeprefix("gitdir:").strip()), top)


def _common_dir(git: str, top: str) -> str | None:
    """Where a linked work tree's shared refs live (`commondir`), when inside `top`; else the git dir itself."""
    text = _line(read_inside(os.path.join(git, "commondir"), top, _SMALL))
    if text is None:
        return git
    return _dir_inside(os.path.join(git, text), top)


def _dir_inside(path: str, top: str) -> str | None:
    try:
        target = os.path.realpath(path)
    except ValueError:  # a NUL byte in a path written in a file
        return None
    return target if (target == top or target.startswith(top + os.sep)) and os.path.isdir(target) else None


def _line(data: bytes | None) -> str | None:
    """The first line, stripped; None when there is none or it is not text."""
    if not data:
        return None
    try:
        return data.decode("utf-8").split("\n", 1)[0].strip() or None
    except UnicodeDecodeError:
        return None


def _object_id(text: str | None) -> str | None:
    return text if text is not None and _OBJECT_ID.fullmatch(text) else None
