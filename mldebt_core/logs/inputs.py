"""What a log file must be before any reader opens it: a regular, readable, non-empty file, reached through no
symbolic link that leaves the folder it was named in.

Checked on an open descriptor (O_NONBLOCK, so a FIFO or a device is refused at once instead of blocking the
reader), and every message names the file as the user gave it (`source`), never a resolved or staging path.
"""

import errno
import os
import stat
from pathlib import Path

from mldebt_core.logs.errors import LogIngestError


def check_input(path: Path, source: str) -> None:
    """Refuse what is not a log file the user meant to give; read nothing but the file's metadata."""
    _check_link(path, source)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise LogIngestError(f"{source}: {os_reason(error)}") from None
    try:
        facts = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if stat.S_ISDIR(facts.st_mode):
        raise LogIngestError(f"{source}: is a folder; expected a log file")
    if not stat.S_ISREG(facts.st_mode):  # a FIFO, socket or device would block or never end
        raise LogIngestError(f"{source}: not a regular file (a pipe, socket or device); expected a log file")
    if facts.st_size == 0:
        raise LogIngestError(f"{source}: the file is empty")


def _check_link(path: Path, source: str) -> None:
    """A link may point to a file beside it (`latest.csv -> 2026-03-01.csv`), not out of its folder: a log name
    must never make the ingest read (and quote in an error) another file, such as /etc/passwd or
    /proc/self/environ."""
    if not path.is_symlink():
        return
    folder = path.absolute().parent.resolve()
    target = path.resolve()
    if not target.is_relative_to(folder):
        raise LogIngestError(f"{source}: a symbolic link to a file outside its folder; refused (give the file "
                             f"itself, or a link within the log's folder)")


def os_reason(error: OSError) -> str:
    """An OSError in words, without its file name (which may be a server's staging path)."""
    if error.errno == errno.ENOENT:
        return "no such file"
    if error.errno == errno.ENOSPC:
        return "no space left on device"
    return (error.strerror or type(error).__name__).lower()
