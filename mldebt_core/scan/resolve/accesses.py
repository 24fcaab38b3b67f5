"""The scan's data accesses: each file's raw accesses with their locations resolved across files.

Imported constants are filled in (`constants`), accesses made through helper functions
are placed at their calls (`helpers`), SQL text becomes the tables it reads and writes,
and a notebook's relative paths start at its own folder.
"""

import posixpath
import re

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.remote_io import hub_or_path
from mldebt_core.scan.collect.sql import tables
from mldebt_core.scan.collect.values import Hole, Value, merge, render, render_raw
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
        through = [a for call in facts[path].call_sites
                   for raw in through_helper(path, call, helpers, facts, index, depth)
                   for a in _data_accesses(path, raw, raw.value)]
        seen = {(a.line, a.mode, a.artifact) for a in through if a.artifact}
        constants = facts[path].constants if path.endswith(".ipynb") else {}
        for raw in facts[path].accesses:  # `utils.save_model(m, p)` once, as the helper's write
            value = resolve_value(_python_variables(raw.value, constants), path, facts, index, depth)
            out.extend(a for a in _data_accesses(path, raw, value)
                       if (a.line, a.mode, a.artifact) not in seen or not a.artifact)
        out.extend(through)
    return [relative_to_notebook(a) if a.file.endswith(".ipynb") else a for a in out]


def _python_variables(value: Value, constants: dict[str, Value]) -> Value:
    """`!gsutil cp gs://… {TRAIN_DATA}` in a notebook: the shell hole `$TRAIN_DATA` is the notebook's variable."""
    if not constants or not any(isinstance(p, Hole) and p.text.startswith("$") for p in value):
        return value
    return merge(part for p in value for part in (
        constants[p.text[1:]] if isinstance(p, Hole) and p.text[1:] in constants else (p,)))


def predicted_writes(facts: dict[str, CodeFacts]) -> frozenset[tuple[str, int]]:
    """(file, line) of the writes whose data are a model's predictions: directly, through a helper's call with
    predictions as an argument, or through a helper that writes predictions it makes (matched by name)."""
    predicting_helpers = {p.function for fact in facts.values() for p in fact.param_accesses if p.access.predicted}
    return frozenset({(path, raw.line) for path, fact in facts.items() for raw in fact.accesses if raw.predicted}
                     | {(path, call.line) for path, fact in facts.items() for call in fact.call_sites
                        if call.predicted or (call.bound.name if call.bound and not call.attribute_of
                                              else call.callee) in predicting_helpers})


def relative_to_notebook(access: DataAccess) -> DataAccess:
    """A notebook runs in its own folder: its relative paths start there, not at the repository root."""
    if access.artifact is None or not access.artifact.startswith("file:") \
            or access.location.startswith(("/", "{", "~")):
        return access
    location = posixpath.normpath(posixpath.join(posixpath.dirname(access.file), access.location))
    return access.model_copy(update={"location": location, "artifact": artifact_id(location, "path")})


def _data_accesses(path: str, raw: RawAccess, value: Value) -> list[DataAccess]:
    value = hub_or_path(value)
    location, resolution = render(value)
    if raw.target == "sql":
        read, written = tables(render_raw(tuple(_sql_hole(p) for p in value)))
        targets = [("read", t) for t in read] + [("write", t) for t in written]
        if targets:
            return [DataAccess(file=path, line=raw.line, mode=mode, api=raw.api, location=table,
                               resolution="partial" if "{" in table else "resolved", expression=raw.expression,
                               artifact=artifact_id(table, "table")) for mode, table in targets]
        if resolution == "resolved":
            return []  # literal SQL that touches no table (DDL, `SELECT 1`): no data access
        location, resolution = None, "unresolved"
    elif (raw.target == "table" or raw.api.startswith("bq ") and "://" not in (location or "")) \
            and location is not None:  # `bq extract dataset.table gs://…`: the table side
        location = _table_name("".join(p if isinstance(p, str) else "{…}" for p in value))
        return [DataAccess(file=path, line=raw.line, mode=raw.mode, api=raw.api, location=location,
                           resolution=resolution, expression=raw.expression, artifact=artifact_id(location, "table"))]
    elif location is not None and not _looks_like_path(render_raw(value)):
        location, resolution = None, "unresolved"  # weights="imagenet", /proc/…: not a place data lives
    return [DataAccess(file=path, line=raw.line, mode=raw.mode, api=raw.api, location=location,
                       resolution=resolution, expression=raw.expression,
                       artifact=artifact_id(location, raw.target) if location else None)]


def _looks_like_path(text: str) -> bool:
    return any(c in text for c in "/.{\\:") and not text.startswith(SYSTEM_FOLDERS)


SYSTEM_FOLDERS = ("/proc/", "/sys/", "/dev/", "/etc/", "/usr/", "/bin/", "/lib/", "/var/run/", "/run/")


def _sql_hole(part):
    """A run-time part of SQL text as one name-like word: `{args.project}` must not split a table name."""
    return Hole(re.sub(r"\W+", "_", part.text).strip("_") or "expr") if isinstance(part, Hole) else part


def _table_name(name: str) -> str:
    """BigQuery's `project:dataset.table` as `project.dataset.table`, the way SQL names it."""
    return name.replace(":", ".", 1) if ":" in name and "://" not in name else name
