"""Which rows of which table a scan document becomes: the one map from the scan contract to the store.

Each `ChildTable` names its columns and a function giving one tuple per row; `ingest`
turns them into a column-oriented Arrow table and inserts it with one
`INSERT … SELECT`, so 20,000 import edges are one statement, not 20,000, and the rows
keep the order of the document's list (`scan_rows` reads them back in that order).

Only lists that some code reads get a table (see docs/store.md, "What reads each table");
the others (external packages, config files and settings, config reads, code health
details) live in `scans.document` alone. A suppressed finding is a finding row plus how
and why it was suppressed.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mldebt_core.scan.schema import Finding, ScanDocument


@dataclass(frozen=True)
class ChildTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    """(column, Arrow type name) pairs after `scan_id`: 'string', 'int64', 'bool' or 'list<string>'."""
    rows: Callable[[ScanDocument], Iterable[tuple]]


_FINDING_COLUMNS = (("finding_id", "string"), ("kind", "string"), ("paper_section", "int64"), ("severity", "string"),
                    ("confidence", "int64"), ("file", "string"), ("line", "int64"), ("cell", "int64"),
                    ("message", "string"), ("evidence", "string"), ("project", "string"),
                    ("excerpt", "string"))


def _finding_row(x: Finding) -> tuple:
    return (x.id, x.kind, x.paper_section, x.severity, x.confidence, x.file, x.line, x.cell, x.message,
            json.dumps(x.evidence, sort_keys=True), x.project, x.excerpt)


CHILD_TABLES: tuple[ChildTable, ...] = (
    ChildTable("languages", (("language", "string"), ("files", "int64"), ("lines", "int64")),
               lambda d: ((x.language, x.files, x.lines) for x in d.languages)),
    ChildTable("files", (("path", "string"), ("language", "string"), ("lines", "int64"), ("bytes", "int64"),
                         ("analysed", "bool")),
               lambda d: ((x.path, x.language, x.lines, x.bytes, x.analysed) for x in d.files)),
    ChildTable("skipped_files", (("path", "string"), ("reason", "string"), ("detail", "string"), ("line", "int64"),
                                 ("cell", "int64")),
               lambda d: ((x.path, x.reason, x.detail, x.line, x.cell) for x in d.skipped)),
    ChildTable("modules", (("name", "string"), ("path", "string"), ("is_package", "bool"), ("project", "string")),
               lambda d: ((x.name, x.path, x.is_package, x.project) for x in d.modules)),
    ChildTable("import_edges", (("source", "string"), ("target", "string"), ("line", "int64")),
               lambda d: ((x.source, x.target, x.line) for x in d.import_edges)),
    ChildTable("data_accesses", (("file", "string"), ("line", "int64"), ("cell", "int64"), ("mode", "string"),
                                 ("api", "string"), ("location", "string"), ("resolution", "string"),
                                 ("expression", "string"), ("artifact", "string")),
               lambda d: ((x.file, x.line, x.cell, x.mode, x.api, x.location, x.resolution, x.expression,
                           x.artifact) for x in d.data_accesses)),
    ChildTable("artifacts", (("id", "string"), ("kind", "string"), ("location", "string"), ("role", "string"),
                             ("readers", "list<string>"), ("writers", "list<string>")),
               lambda d: ((x.id, x.kind, x.location, x.role, x.readers, x.writers) for x in d.artifacts)),
    ChildTable("lineage_edges", (("source", "string"), ("target", "string"), ("mode", "string")),
               lambda d: ((x.source, x.target, x.mode) for x in d.lineage_edges)),
    ChildTable("findings", _FINDING_COLUMNS, lambda d: (_finding_row(x) for x in d.findings)),
    ChildTable("suppressed_findings", (*_FINDING_COLUMNS, ("how", "string"), ("reason", "string")),
               lambda d: ((*_finding_row(x.finding), x.how, x.reason) for x in d.suppressed)),
    ChildTable("scan_warnings", (("path", "string"), ("message", "string")),
               lambda d: ((x.path, x.message) for x in d.warnings)),
    ChildTable("projects", (("path", "string"), ("name", "string"), ("markers", "list<string>")),
               lambda d: ((x.path, x.name, x.markers) for x in d.projects)),
)
