"""The rows of a stored scan: the one module that reads a scan's child tables.

Graphs and analyses read a stored scan through these functions, never through `scans.document`
(which stays the untouched original, see docs/store.md) and never with SQL of their own. Each
function runs parameterised SQL and returns small frozen records:

- `import_rows` and `lineage_rows`: what `mldebt_core.graphs` builds the import and lineage graphs
  from; a `ScanDocument` offers the same attributes, so the graphs take either.
- `feature_cost_rows`: the upstream cost of feature names, for ablation.
- `find_artifact` and `models_fed_by`: a scan's artifact by id or location, and the models that
  artifacts flow into, for the up-stream producers of monitoring.
- `closures`: what given artifacts are derived from (artifacts and code), for the audit.

A scan stores only direct lineage edges (scan schema v5); every closure is derived from them in the query
that needs it, with a recursive CTE from the nodes asked about only (`UNION`, so a cycle ends), never all pairs.

Rows come back in the order of the document's lists (`ORDER BY rowid`): a scan's rows are appended
once, in one statement per table, and never updated, so their row ids follow the document. That order
is what keeps a graph (and its seeded layout) the same whether it is built from rows or a document.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mldebt_core.store.db import Store
from mldebt_core.store.errors import StoreError


@dataclass(frozen=True, slots=True)
class ModuleRow:
    name: str
    path: str
    is_package: bool
    project: str | None
    """its project's path in a monorepo (graphs name its node after it), else None"""


@dataclass(frozen=True, slots=True)
class ImportEdgeRow:
    source: str
    target: str
    line: int


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    id: str
    """'file:<path>', 'url:<url>' or 'table:<name>'"""
    kind: str
    """'file', 'url' or 'table'"""
    location: str
    role: str
    """'data', 'model' or 'prediction'"""
    readers: tuple[str, ...]
    writers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Closure:
    """What an artifact is derived from, transitively (never itself, also on a cycle), sorted."""
    upstream: tuple[str, ...]
    """artifact ids"""
    upstream_code: tuple[str, ...]
    """code files on any path that produces it"""


@dataclass(frozen=True, slots=True)
class LineageEdgeRow:
    source: str
    """an artifact id or 'code:<path>'"""
    target: str
    mode: str
    """'read' or 'write'"""


@dataclass(frozen=True, slots=True)
class FindingRow:
    kind: str
    file: str | None
    evidence: Mapping[str, object] = field(hash=False)
    """decoded once from the stored JSON text; read-only, its lists as tuples"""


@dataclass(frozen=True, slots=True)
class ImportRows:
    """A scan's modules and import edges: the input of `graphs.import_graph`."""
    modules: tuple[ModuleRow, ...]
    import_edges: tuple[ImportEdgeRow, ...]


@dataclass(frozen=True, slots=True)
class LineageRows:
    """A scan's artifacts, lineage edges and findings: the input of `graphs.lineage_graph` and the upstream views."""
    artifacts: tuple[ArtifactRow, ...]
    lineage_edges: tuple[LineageEdgeRow, ...]
    findings: tuple[FindingRow, ...]


@dataclass(frozen=True, slots=True)
class FeatureCostRow:
    feature: str
    sources: tuple[str, ...]
    """artifact ids the feature is read from"""
    upstream_artifacts: int
    """its sources and every artifact upstream of them"""
    code_paths: int
    """code files that write its sources or anything upstream of them"""
    unstable_sources: int
    """of the upstream artifacts, those with an `unstable_data_dependency` finding"""


def import_rows(store: Store, scan_id: int) -> ImportRows:
    """The scan's modules and import edges, in document order; StoreError when there is no such scan."""
    modules = _scan_table(store, "modules", "name, path, is_package, project", scan_id)
    edges = _scan_table(store, "import_edges", "source, target, line", scan_id)
    if not (modules or edges):
        _require_scan(store, scan_id)
    return ImportRows(tuple(ModuleRow(*row) for row in modules), tuple(ImportEdgeRow(*row) for row in edges))


def lineage_rows(store: Store, scan_id: int) -> LineageRows:
    """The scan's artifacts, lineage edges and findings (kind, file, evidence), in document order; StoreError
    when there is no such scan."""
    artifacts = _scan_table(store, "artifacts", "id, kind, location, role, readers, writers", scan_id)
    edges = _scan_table(store, "lineage_edges", "source, target, mode", scan_id)
    findings = _scan_table(store, "findings", "kind, file, evidence", scan_id)
    if not (artifacts or edges or findings):
        _require_scan(store, scan_id)
    return LineageRows(
        tuple(ArtifactRow(id_, kind, location, role, *(tuple(names or ()) for names in lists))
              for id_, kind, location, role, *lists in artifacts),
        tuple(LineageEdgeRow(*row) for row in edges),
        tuple(FindingRow(kind, file, _evidence(text)) for kind, file, text in findings))


def feature_cost_rows(store: Store, scan_id: int, features: Iterable[str], system: str | None,
                      min_name: int) -> list[FeatureCostRow]:
    """Upstream cost of each feature name that matches an artifact of the scan (features matching none are left
    out). A feature matches an artifact named after it (file stem or table name, compared in lower case with
    non-alphanumerics as `_`: equal, or the feature starts with it and `_`), an artifact whose reading code
    expression names it as a word, or the artifact declared for it in `system`'s `feature_sources`. Names and
    stems shorter than `min_name` characters match nothing by name (see docs/ablation.md, "Cost")."""
    rows = store.query(_FEATURE_COSTS, {"scan": scan_id, "features": list(features), "min_name": min_name,
                                        "system": system})
    return [FeatureCostRow(feature, tuple(sources), upstream, code, unstable)
            for feature, sources, upstream, code, unstable in rows]


def find_artifact(store: Store, scan_id: int, name: str) -> str | None:
    """The id of the scan's artifact whose id is `name`, else whose location is `name`; None when none is."""
    return store.query_value("SELECT id FROM artifacts WHERE scan_id = $scan AND (id = $name OR location = $name) "
                             "ORDER BY id = $name DESC, rowid LIMIT 1", {"scan": scan_id, "name": name})


def models_fed_by(store: Store, scan_id: int | None, artifacts: Iterable[str]) -> dict[str, list[str]]:
    """{artifact id: the scan's model artifacts with it upstream, by id} for each given artifact id; an artifact
    that feeds no model, or no scan (None), maps to []."""
    wanted = sorted(set(artifacts))
    fed = dict(store.query(_MODELS_FED_BY, {"wanted": wanted, "scan": scan_id}))
    return {artifact: list(fed.get(artifact, [])) for artifact in wanted}


def closures(store: Store, scan_id: int, artifacts: Iterable[str]) -> dict[str, Closure]:
    """{artifact id: its closure} for each given id, derived from the scan's lineage edges (an id no edge names
    has an empty one)."""
    wanted = sorted(set(artifacts))
    found = {start: (tuple(arts or ()), tuple(code or ()))
             for start, arts, code in store.query(_CLOSURES, {"wanted": wanted, "scan": scan_id})}
    return {a: Closure(*found.get(a, ((), ()))) for a in wanted}


def _scan_table(store: Store, table: str, columns: str, scan_id: int) -> list[tuple]:
    """One scan's rows of a child table, in document order. `table` and `columns` are names written in this
    module, never input; the scan id is a parameter."""
    return store.query(f"SELECT {columns} FROM {table} WHERE scan_id = ? ORDER BY rowid", [scan_id])


def _require_scan(store: Store, scan_id: int) -> None:
    """No rows at all: an empty scan, or none with that id (asked only then, to spare a query per read)."""
    if store.query_value("SELECT count(*) FROM scans WHERE id = ?", [scan_id]) == 0:
        raise StoreError(f"no scan with id {scan_id} in the database {store.path}")


def _evidence(text: str | None) -> Mapping[str, object]:
    decoded = json.loads(text) if text else {}
    return MappingProxyType({key: tuple(value) if isinstance(value, list) else value
                             for key, value in decoded.items()})


_MODELS_FED_BY = """
WITH RECURSIVE down(start, node) AS (
    SELECT artifact, artifact FROM (SELECT unnest($wanted::VARCHAR[]) AS artifact)
    UNION
    SELECT d.start, e.target FROM down d JOIN lineage_edges e ON e.scan_id = $scan AND e.source = d.node)
SELECT d.start, list(a.id ORDER BY a.id)
FROM down d JOIN artifacts a ON a.scan_id = $scan AND a.role = 'model' AND a.id = d.node AND d.node <> d.start
GROUP BY d.start
"""

_CLOSURES = """
WITH RECURSIVE up(start, node) AS (
    SELECT artifact, artifact FROM (SELECT unnest($wanted::VARCHAR[]) AS artifact)
    UNION
    SELECT u.start, e.source FROM up u JOIN lineage_edges e ON e.scan_id = $scan AND e.target = u.node)
SELECT start,
    list(node ORDER BY node) FILTER (WHERE NOT starts_with(node, 'code:')),
    list(node[6:] ORDER BY node) FILTER (WHERE starts_with(node, 'code:'))
FROM up WHERE node <> start GROUP BY start
"""

_FEATURE_COSTS = r"""
WITH RECURSIVE features AS (
    SELECT feature, lower(regexp_replace(feature, '[^A-Za-z0-9]+', '_', 'g')) AS key
    FROM (SELECT unnest($features::VARCHAR[]) AS feature)),
artifact AS (
    SELECT id,
        lower(regexp_replace(CASE WHEN kind = 'table' THEN string_split(location, '.')[-1]
                                  ELSE regexp_replace(regexp_extract(location, '[^/]+$'), '\..*$', '') END,
                             '[^A-Za-z0-9]+', '_', 'g')) AS stem
    FROM artifacts WHERE scan_id = $scan),
source AS (
    SELECT f.feature, a.id FROM features f JOIN artifact a
        ON length(a.stem) >= $min_name AND (f.key = a.stem OR starts_with(f.key, a.stem || '_'))
    UNION
    SELECT f.feature, d.artifact FROM features f JOIN data_accesses d
        ON d.scan_id = $scan AND d.artifact IS NOT NULL AND length(f.key) >= $min_name
        AND list_contains(regexp_split_to_array(lower(d.expression), '[^a-z0-9_]+'), f.key)
    UNION
    SELECT f.feature, l.artifact FROM features f
        JOIN feature_sources l ON l.system = $system AND l.feature = f.feature),
up(start, node) AS (  -- each source and everything it is derived from: artifacts and 'code:<path>'
    SELECT DISTINCT s.id, s.id FROM source s JOIN artifact a ON a.id = s.id
    UNION
    SELECT u.start, e.source FROM up u JOIN lineage_edges e ON e.scan_id = $scan AND e.target = u.node),
reach AS (
    SELECT s.feature, u.node FROM source s JOIN up u ON u.start = s.id),
unstable AS (
    SELECT DISTINCT json_extract_string(evidence, '$.artifact') AS artifact
    FROM findings WHERE scan_id = $scan AND kind = 'unstable_data_dependency')
SELECT r.feature,
    (SELECT list(DISTINCT s.id ORDER BY s.id) FROM source s WHERE s.feature = r.feature) AS sources,
    count(DISTINCT r.node) FILTER (WHERE NOT starts_with(r.node, 'code:')) AS upstream,
    count(DISTINCT r.node) FILTER (WHERE starts_with(r.node, 'code:')) AS code,
    count(DISTINCT r.node) FILTER (WHERE r.node IN (SELECT artifact FROM unstable)) AS unstable
FROM reach r GROUP BY r.feature
"""
