"""The scan JSON contract, defined once as pydantic models.

The committed JSON Schema (`scan.schema.json` beside this file) is generated from
these models by `mldebt schema`; a test fails when it is stale. All paths are
POSIX paths relative to the scanned repository's root.
"""

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mldebt_core.taxonomy import KINDS

SCHEMA_VERSION = 5
Count = Annotated[int, Field(ge=0)]
"""a number of things (files, lines, bytes, findings): a negative one is refused, not drawn"""

Severity = Literal["low", "medium", "high", "critical"]
AccessMode = Literal["read", "write"]
Resolution = Literal["resolved", "partial", "unresolved"]
ArtifactKind = Literal["file", "url", "table"]
ArtifactRole = Literal["data", "model", "prediction"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # NaN/Infinity: no page draws them


class Tool(_Model):
    name: Literal["mldebt"] = "mldebt"
    version: str


class RepoIdentity(_Model):
    name: str = Field(description="System name: --system, else the repository folder's name.")
    commit: str | None = Field(None, description="Git commit of HEAD when the root holds a .git, else null.")
    branch: str | None = None
    scanned_at: str = Field(description="UTC time of the scan, ISO 8601 (SOURCE_DATE_EPOCH is honoured).")


class LanguageStats(_Model):
    language: str
    files: Count
    lines: Count


class FileEntry(_Model):
    path: str
    language: str
    lines: Count = Field(description="Line count; 0 for skipped files.")
    bytes: Count
    analysed: bool = Field(True, description="False for files mldebt does not read: images, archives and other "
                                             "binary assets (not a failure: see `skipped` for those).")


class SkippedFile(_Model):
    """A file, or one notebook cell, that should have been analysed and could not be."""
    path: str
    reason: Literal["syntax_error", "python2", "undecodable", "too_large", "recursion_limit",
                    "bad_notebook", "unreadable"]
    detail: str = ""
    line: int | None = None
    cell: int | None = Field(None, description="Notebooks: the one cell skipped (the rest of the notebook is "
                                               "analysed); `line` is then the line within that cell.")


class Project(_Model):
    path: str = Field(description="The project's folder relative to the repository root; '.' for the root.")
    name: str
    markers: list[str] = Field(description="What makes the folder a project: its manifests or framework roots, "
                                           "e.g. 'pyproject.toml', 'requirements.txt', 'kedro', 'dvc.yaml'.")


class ScanWarning(_Model):
    path: str | None = Field(description="The file concerned; null for the repository as a whole.")
    message: str


class Module(_Model):
    name: str = Field(description="Dotted module name as other code of its project imports it.")
    path: str
    is_package: bool
    project: str | None = Field(None, description="Path of its project when the repository holds several; "
                                                 "null otherwise.")


class ImportEdge(_Model):
    source: str = Field(description="Importing module.")
    target: str = Field(description="Imported module of this repository.")
    line: int


class ExternalPackage(_Model):
    name: str = Field(description="Top-level distribution import name, e.g. 'sklearn'.")
    ml: bool = Field(description="A well-known ML or data library.")
    imported_by: list[str]


class DataAccess(_Model):
    file: str
    line: int
    mode: AccessMode
    api: str = Field(description="The call that reads or writes, e.g. 'pandas.read_csv'.")
    location: str | None = Field(description="Resolved location; '{expr}' marks parts only known at run time.")
    resolution: Resolution
    expression: str = Field(description="The location expression as written in the code.")
    artifact: str | None = Field(description="Id of the artifact it reads or writes; null when unresolved.")
    cell: int | None = Field(None, description="Notebooks: the cell number (all cells counted from 1); "
                                               "`line` is then the line within that cell.")


class Artifact(_Model):
    id: str = Field(description="'file:<path>', 'url:<url>' or 'table:<name>'.")
    kind: ArtifactKind
    location: str
    role: ArtifactRole
    readers: list[str] = Field(description="Code files that read it.")
    writers: list[str] = Field(description="Code files that write it.")


class LineageEdge(_Model):
    source: str = Field(description="Artifact id or 'code:<path>'.")
    target: str
    mode: AccessMode


class Finding(_Model):
    id: str = Field(description="Stable id: same debt at the same place keeps it across scans.")
    kind: str
    paper_section: int
    severity: Severity
    file: str | None
    line: int | None
    message: str
    evidence: dict[str, str | int | float | bool | list[str]] = Field(default_factory=dict)
    cell: int | None = Field(None, description="Notebooks: the cell number; `line` is the line within it.")
    confidence: int = Field(100, ge=0, le=100, description="Percent; the kind's measured precision: the share of "
                                                          "its findings judged real debt on a labelled corpus.")
    project: str | None = Field(None, description="Path of the project it belongs to when the repository holds "
                                                 "several; null otherwise.")
    excerpt: str | None = Field(None, description="The cited lines as written: `line` with up to 2 lines before "
                                                 "and after (in a notebook, within its cell), each cut to 160 "
                                                 "characters ending in '…', joined by a line feed; null without "
                                                 "a file and a line, when the scan read no text there, and in "
                                                 "scans older than version 4.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KINDS:  # the pages look every kind up in the taxonomy
            raise ValueError(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        return kind


class SuppressedFinding(_Model):
    finding: Finding
    how: Literal["inline", "config"] = Field(description="'inline': a `# mldebt: ignore[kind]` comment at its "
                                                        "line; 'config': [tool.mldebt] of the repository.")
    reason: str = Field(description="The reason given with the suppression; '' when none.")


class ConfigSetting(_Model):
    key: str = Field(description="Flattened key, e.g. 'train.optimizer.lr'.")
    value: str = Field(description="The value as JSON text.")
    line: int


class ConfigFile(_Model):
    path: str
    format: Literal["yaml", "json", "toml", "ini", "dotenv", "python"]
    settings: list[ConfigSetting]
    key_count: Count
    feature_count: Count = Field(description="Entries of keys that name a feature list (e.g. 'features').")


class ConfigRead(_Model):
    file: str
    line: int
    key: str = Field(description="Dotted key as read ('train.lr'), or '$NAME' for an environment variable.")
    how: Literal["subscript", "attribute", "get", "getattr", "env"]


class CodeHealth(_Model):
    """Repository-wide measures behind the code-level findings; null when not measured."""
    code_lines: Count | None = Field(None, description="Python statement lines outside tests.")
    test_lines: Count | None = Field(None, description="Python statement lines in tests.")
    dead_lines: Count | None = Field(None, description="Lines in dead branches, unreferenced code, commented-out code.")
    glue_lines: Count | None = Field(
        None, description="Statement lines that only call ML/data packages or convert formats.")
    glue_share: Annotated[float, Field(ge=0)] | None = Field(None, description="glue_lines / code_lines.")
    glue_share_by_file: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    longest_intermediate_chain: list[str] = Field(default_factory=list,
                                                  description="Longest lineage path through intermediate artifacts.")
    read_write_scripts: Count | None = Field(None, description="Scripts that both read and write intermediate files.")
    max_join_fan_in: Count | None = Field(None, description="Most input artifacts read by one code file.")


class Summary(_Model):
    files: Count
    python_files: Count
    lines: Count
    skipped: Count
    findings_by_kind: dict[str, Count]
    findings_by_severity: dict[str, Count]
    not_analysed: Count = Field(0, description="Files not read on purpose (assets).")
    suppressed: Count = Field(0, description="Findings suppressed by the repository (listed in `suppressed`).")


class ScanDocument(_Model):
    schema_version: Literal[5] = SCHEMA_VERSION
    tool: Tool
    repo: RepoIdentity
    summary: Summary
    projects: list[Project] = Field(default_factory=list, description="The projects of a monorepo; empty when the "
                                                                       "repository is one project.")
    warnings: list[ScanWarning] = Field(default_factory=list,
                                        description="What the scan could not read as it should, and went on.")
    languages: list[LanguageStats]
    files: list[FileEntry]
    skipped: list[SkippedFile]
    modules: list[Module]
    import_edges: list[ImportEdge]
    external_packages: list[ExternalPackage]
    data_accesses: list[DataAccess]
    artifacts: list[Artifact]
    lineage_edges: list[LineageEdge]
    configs: list[ConfigFile] = Field(default_factory=list)
    config_reads: list[ConfigRead] = Field(default_factory=list)
    code_health: CodeHealth = Field(default_factory=CodeHealth)
    findings: list[Finding]
    suppressed: list[SuppressedFinding] = Field(default_factory=list)


def migrate(document: dict) -> dict:
    """Bring an older scan document to the current schema version (a new dict; the input is not changed).

    v1 -> v2: configuration, config reads and code-health measures did not exist; they
    become empty / null ("not measured"); findings get confidence 100. Cells stay null:
    v1 notebook lines counted over the code cells, which cannot be mapped back without
    the notebook.
    v2 -> v3: binary files were listed as skipped; they become files not analysed. Projects,
    warnings and suppressed findings did not exist (one project, none of either).
    v3 -> v4: findings had no excerpt; it stays null (the code they cite is not in the document).
    v4 -> v5: artifacts carried their transitive closure (`upstream`, `upstream_code`), quadratic on a long chain;
    both are dropped: a closure is derived from `lineage_edges` by whoever needs it.
    """
    version = document.get("schema_version")
    if version == 1:
        document = {**document, "schema_version": 2, "configs": [], "config_reads": [], "code_health": {},
                    "findings": [{**f, "confidence": 100} if isinstance(f, dict) else f
                                 for f in document.get("findings", [])]}
        version = 2
    if version == 2:
        skipped = document.get("skipped")
        binary = ({s["path"] for s in skipped if isinstance(s, dict) and s.get("reason") == "binary"}
                  if isinstance(skipped, list) else set())
        document = {**document, "schema_version": 3}
        if binary:
            document["skipped"] = [s for s in skipped if not (isinstance(s, dict) and s.get("path") in binary)]
            document["files"] = [{**f, "analysed": False} if isinstance(f, dict) and f.get("path") in binary else f
                                 for f in document.get("files", [])]
            summary = document.get("summary")
            if isinstance(summary, dict) and isinstance(summary.get("skipped"), int):
                document["summary"] = {**summary, "skipped": summary["skipped"] - len(binary),
                                       "not_analysed": len(binary)}
        version = 3
    if version == 3:
        document = {**document, "schema_version": 4}
        version = 4
    if version == 4:
        artifacts = document.get("artifacts")
        document = {**document, "schema_version": 5}
        if isinstance(artifacts, list):
            document["artifacts"] = [{k: v for k, v in a.items() if k not in ("upstream", "upstream_code")}
                                     if isinstance(a, dict) else a for a in artifacts]
    return document


def load_scan(text: str | bytes) -> ScanDocument:
    """Parse and validate a scan JSON of any known schema version (raises ValueError/ValidationError)."""
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("a scan document is a JSON object")
    return validate_scan(document)


class ScanContentError(ValueError):
    """A scan of the right shape that states no schema version or names what it does not list; `loc` is the JSON
    path (a tuple of keys and indexes), `what` what is wrong there."""

    def __init__(self, loc: tuple, what: str):
        self.loc, self.what = loc, what
        super().__init__(what)


def validate_scan(document: dict) -> ScanDocument:
    """A parsed scan JSON object of any known version, migrated and validated, its references checked (raises
    ValidationError or ScanContentError)."""
    if "schema_version" not in document:  # else the model's default would take a document of any age as current
        raise ScanContentError(("schema_version",), f"missing; a scan document states its schema version "
                                                    f"(1 to {SCHEMA_VERSION})")
    scan = ScanDocument.model_validate(migrate(document))
    check_references(scan)
    return scan


def check_references(scan: ScanDocument) -> None:
    """Every artifact that lineage edges and data accesses name is listed in `artifacts`: the dependency graph
    draws each edge's ends as listed nodes (ScanContentError). Code files (readers, writers, `code:` nodes) are
    drawn from their path alone."""
    artifacts = {a.id for a in scan.artifacts}
    for index, edge in enumerate(scan.lineage_edges):
        for end in ("source", "target"):
            node = getattr(edge, end)
            if not node.startswith("code:") and node not in artifacts:
                raise ScanContentError(("lineage_edges", index, end),
                                       f"names artifact {node!r}, which the scan's artifacts do not list")
    for index, access in enumerate(scan.data_accesses):
        if access.artifact is not None and access.artifact not in artifacts:
            raise ScanContentError(("data_accesses", index, "artifact"),
                                   f"names artifact {access.artifact!r}, which the scan's artifacts do not list")


def json_schema() -> dict:
    schema = ScanDocument.model_json_schema()
    schema["$id"] = f"urn:mldebt:scan:v{SCHEMA_VERSION}"
    schema["title"] = "mldebt scan"
    return schema
