"""The scan's data accesses: each file's raw accesses with their locations resolved across files.

Imported constants are filled in (`constants`), accesses made through helper functions
are placed at their calls (`helpers`), SQL text becomes the tables it reads and writes,
and a notebook's relative paths start at its own folder.
"""

import posixpath

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.sql import tables
from mldebt_core.scan.collect.values import Value, render, render_raw
from mldebt_core.scan.resolve.constants import resolve_value
from mldebt_core.scan.resolve.helpers import helper_functions, through_helper
from mldebt_core.scan.resolve.lineage import artifact_id
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.schema import DataAccess
from mldebt_core.settings import ScanSettings


def data_accesses(facts: dict[str, CodeFacts], index: ModuleIndex, settings: ScanSettings) -> list[DataAccess]:
    """Every data access of the repository, by file (sorted), in the order each file makes them."""
    depth = settings.value_resolution_depth
    helpers = helper_functions(facts)
    out = []
    for path in sorted(facts):
        for raw in facts[path].accesses:
            out.extend(_data_accesses(path, raw, resolve_value(raw.value, path, facts, index, depth)))
        for call in facts[path].call_sites:
            for raw in through_helper(path, call, helpers, facts, index, depth):
                out.extend(_data_accesses(path, raw, raw.value))
    return [relative_to_notebook(a) if a.file.endswith(".ipynb") else a for a in out]


def relative_to_notebook(access: DataAccess) -> DataAccess:
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
