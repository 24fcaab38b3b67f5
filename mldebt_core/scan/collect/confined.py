"""Reading only inside the scanned repository.

A repository written by someone else can hold symlinks (or `.git` pointers) to anything the
scanning process may read: `/proc/self/environ`, the CI's credentials, another checkout.
Every file the scanner opens goes through `inside` first: the path with every link resolved
must lie under the repository root, and be a regular file (no FIFO to block on, no device).
"""

import os
import stat


def real_root(root: str | os.PathLike) -> str:
    return os.path.realpath(root)


def inside(path: str | os.PathLike, root: str) -> str | None:
    """`path` with its links resolved, when that lies strictly under `root` (a `real_root`) and is a regular
    file; None otherwise."""
    try:
        target = os.path.realpath(path)
        if not target.startswith(root.rstrip(os.sep) + os.sep):
            return None
        return target if stat.S_ISREG(os.stat(target).st_mode) else None
    except (OSError, ValueError):  # ValueError: a NUL byte in a path written inside a file
        return None


def read_inside(path: str | os.PathLike, root: str, limit: int) -> bytes | None:
    """At most `limit` bytes of `path` when `inside` allows it; None when it does not or it cannot be read."""
    target = inside(path, root)
    if target is None:
        return None
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None
