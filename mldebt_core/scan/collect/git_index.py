"""Which files git tracks, read from the index file itself: no git process, no hooks, no config.

A tracked file belongs to the repository even where a .gitignore pattern matches it (git
ignores only untracked files), and a folder named like a build output (`build/`, `dist/`)
is the repository's when git tracks files in it. This module answers both from
`.git/index` (versions 2 to 4) of the work tree the scanned folder lies in, looking up
from it as git does. The index is read only where it lies inside that work tree (a `.git`
linked or pointing elsewhere is not followed: `confined.py`).
"""

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from mldebt_core.scan.collect.confined import inside

_HEADER = struct.Struct(">4sII")
_ENTRY_FIXED = 62  # stat data (40), object id (20), flags (2)
_EXTENDED = 0x4000


@dataclass(frozen=True)
class Tracked:
    files: frozenset[str]  # paths relative to the scanned root
    folders: frozenset[str]  # every folder holding a tracked file, at any depth


def tracked(root: str) -> Tracked | None:
    """What git tracks under `root`; None when `root` lies in no git work tree or its index cannot be read."""
    located = _index_of(root)
    if located is None:
        return None
    index, prefix = located
    try:
        with open(index, "rb") as handle:
            data = handle.read()
        paths = [os.fsdecode(raw) for raw in _paths(data)]
    except (OSError, ValueError, IndexError, struct.error):
        return None
    files, folders = set(), set()
    for path in paths:
        if prefix:
            if not path.startswith(prefix):
                continue
            path = path[len(prefix):]
        files.add(path.rstrip("/"))  # a sparse index lists whole folders as `dir/`
        folder = path.rstrip("/").rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return Tracked(frozenset(files), frozenset(folders))


def _index_of(root: str) -> tuple[str, str] | None:
    """(the index file, the root's path inside the work tree with a trailing '/', or '')."""
    folder = os.path.realpath(root)
    while True:
        dot_git = os.path.join(folder, ".git")
        if os.path.isdir(dot_git):
            git = dot_git
            break
        if os.path.isfile(dot_git):  # a worktree or a submodule: "gitdir: <path>"
            if (pointer := inside(dot_git, folder)) is None:
                return None
            try:
                with open(pointer, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(4096).strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            git = os.path.join(folder, text.removeprefix("gitdir:").strip())
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    index = inside(os.path.join(git, "index"), folder)
    if index is None:
        return None
    within = os.path.relpath(os.path.realpath(root), folder)
    return index, "" if within == "." else within.replace(os.sep, "/") + "/"


def _paths(data: bytes) -> Iterator[bytes]:
    """The paths of a git index (format: Documentation/gitformat-index.txt of git)."""
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise ValueError("not a git index")
    position = _HEADER.size
    previous = b""
    for _ in range(count):
        flags = int.from_bytes(data[position + 60: position + 62], "big")
        start = position + _ENTRY_FIXED + (2 if version >= 3 and flags & _EXTENDED else 0)
        if version == 4:  # the path is the previous one, less N bytes, plus a NUL-terminated suffix
            byte = data[start]
            start += 1
            strip = byte & 127
            while byte & 128:
                byte = data[start]
                start += 1
                strip = ((strip + 1) << 7) | (byte & 127)
            end = data.index(b"\0", start)
            path = previous[: len(previous) - strip] + data[start:end]
            position = end + 1
        else:
            length = flags & 0xFFF
            end = data.index(b"\0", start) if length == 0xFFF else start + length
            path = data[start:end]
            position += (start - position + len(path) + 8) & ~7  # NUL-padded to a multiple of 8 bytes
        previous = path
        yield path
