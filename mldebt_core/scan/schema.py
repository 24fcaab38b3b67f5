"""The scan JSON contract, defined once as pydantic models.

The committed JSON Schema (`scan.schema.json` beside this file) is generated from
these models by `mldebt schema`; a test fails when it is stale. All paths are
POSIX paths relative to the scanned repository's root.
"""

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2

Severity = Literal["low", "medium", "high", "critical"]
AccessMode = Literal["read", "write"]
Resolution = Literal["resolved", "partial", "unresolved"]
ArtifactKind = Literal["file", "url", "table"]
ArtifactRole = Literal["data", "model", "prediction"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    files: int
    lines: int


class FileEntry(_Model):
    path: str
    language: str
    lines: int = Field(description="Line count; 0 for skipped files.")
    bytes: int


class SkippedFile(_Model):
    path: str
    reason: Literal["syntax_error", "python2", "undecodable", "binary", "too_large", "recursion_limit",
                    "bad_notebook", "unreadable"]
    detail: str = ""
    line: int | None = None


class Module(_Model):
    name: str = Field(description="Dotted module name as other code imports it.")
    path: str
    is_package: bool


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
    upstream: list[str] = Field(description="Transitive closure of artifact ids it is derived from.")
    upstream_code: list[str] = Field(description="Code files on any path that produces it.")


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
    confidence: int = Field(100, ge=0, le=100, description="Percent; below 100 when static analysis can be fooled.")


class ConfigSetting(_Model):
    key: str = Field(description="Flattened key, e.g. 'train.optimizer.lr'.")
    value: str = Field(description="The value as JSON text.")
    line: int


class ConfigFile(_Model):
    path: str
    format: Literal["yaml", "json", "toml", "ini", "dotenv", "python"]
    settings: list[ConfigSetting]
    key_count: int
    feature_count: int = Field(description="Entries of keys that name a feature list (e.g. 'features').")


class ConfigRead(_Model):
    file: str
    line: int
    key: str = Field(description="Dotted key as read ('train.lr'), or '$NAME' for an environment variable.")
    how: Literal["subscript", "attribute", "get", "getattr", "env"]


class CodeHealth(_Model):
    """Repository-wide measures behind the code-level findings; null when not measured."""
    code_lines: int | None = Field(None, description="Python statement lines outside tests.")
    test_lines: int | None = Field(None, description="Python statement lines in tests.")
    dead_lines: int | None = Field(None, description="Lines in dead branches, unreferenced code, commented-out code.")
    glue_lines: int | None = Field(
        None, description="Statement lines that only call ML/data packages or convert formats.")
    glue_share: float | None = Field(None, description="glue_lines / code_lines.")
    glue_share_by_file: dict[str, float] = Field(default_factory=dict)
    longest_intermediate_chain: list[str] = Field(default_factory=list,
                                                  description="Longest lineage path through intermediate artifacts.")
    read_write_scripts: int | None = Field(None, description="Scripts that both read and write intermediate files.")
    max_join_fan_in: int | None = Field(None, description="Most input artifacts read by one code file.")


class Summary(_Model):
    files: int
    python_files: int
    lines: int
    skipped: int
    findings_by_kind: dict[str, int]
    findings_by_severity: dict[str, int]


class ScanDocument(_Model):
    schema_version: Literal[2] = SCHEMA_VERSION
    tool: Tool
    repo: RepoIdentity
    summary: Summary
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


def migrate(document: dict) -> dict:
    """Bring an older scan document to the current schema version (a new dict; the input is not changed).

    v1 -> v2: configuration, config reads and code-health measures did not exist; they
    become empty / null ("not measured"); findings get confidence 100. Cells stay null:
    v1 notebook lines counted over the code cells, which cannot be mapped back without
    the notebook.
    """
    version = document.get("schema_version")
    if version == 1:
        document = {**document, "schema_version": 2, "configs": [], "config_reads": [], "code_health": {},
                    "findings": [{**f, "confidence": 100} if isinstance(f, dict) else f
                                 for f in document.get("findings", [])]}
    return document


def load_scan(text: str | bytes) -> ScanDocument:
    """Parse and validate a scan JSON of any known schema version (raises ValueError/ValidationError)."""
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("a scan document is a JSON object")
    return ScanDocument.model_validate(migrate(document))


def json_schema() -> dict:
    schema = ScanDocument.model_json_schema()
    schema["$id"] = f"urn:mldebt:scan:v{SCHEMA_VERSION}"
    schema["title"] = "mldebt scan"
    return schema
