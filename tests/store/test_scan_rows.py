"""store.scan_rows: a stored scan's rows as frozen records, on small hand-checked scans in a real DuckDB."""

import dataclasses

import pytest

from mldebt_core import graphs
from mldebt_core.scan.schema import ScanDocument
from mldebt_core.store import StoreError, ingest_document
from mldebt_core.store.scan_rows import (
    ArtifactRow,
    Closure,
    FeatureCostRow,
    FindingRow,
    ImportEdgeRow,
    ImportRows,
    LineageEdgeRow,
    ModuleRow,
    closures,
    feature_cost_rows,
    find_artifact,
    import_rows,
    lineage_rows,
    models_fed_by,
)

RAW = "file:data/raw/events.csv"
FEATURES = "file:data/features/train.parquet"
MODEL = "file:models/churn.joblib"
SCORES = "table:marts.scores"


def _artifact(id_, kind, location, role, readers=(), writers=()):
    return {"id": id_, "kind": kind, "location": location, "role": role, "readers": list(readers),
            "writers": list(writers)}


def _finding(number, kind, file, evidence, section=4):
    return {"id": f"{kind}:{number:012x}", "kind": kind, "paper_section": section, "severity": "high", "file": file,
            "line": 3 if file else None, "message": kind, "evidence": evidence}


def tiny_scan(name="tiny", commit="a" * 40) -> ScanDocument:
    """Four modules (listed out of alphabetical order), four import edges (one pair twice), a raw file made into
    features, a model trained on them, scores written by code; two findings and one unstable input."""
    return ScanDocument.model_validate({
        "schema_version": 5, "tool": {"version": "test"},
        "repo": {"name": name, "commit": commit, "scanned_at": "2026-12-01T00:00:00Z"},
        "summary": {"files": 4, "python_files": 4, "lines": 40, "skipped": 0, "findings_by_kind": {},
                    "findings_by_severity": {}},
        "languages": [], "files": [], "skipped": [], "external_packages": [],
        "modules": [{"name": "pipe.train", "path": "pipe/train.py", "is_package": False},
                    {"name": "pipe", "path": "pipe/__init__.py", "is_package": True},
                    {"name": "pipe.features", "path": "pipe/features.py", "is_package": False},
                    {"name": "pipe.score", "path": "pipe/score.py", "is_package": False}],
        "import_edges": [{"source": "pipe.train", "target": "pipe.features", "line": 4},
                         {"source": "pipe.score", "target": "pipe.train", "line": 2},
                         {"source": "pipe.train", "target": "pipe.features", "line": 9},
                         {"source": "pipe.score", "target": "pipe", "line": 1}],
        "data_accesses": [{"file": "pipe/features.py", "line": 5, "mode": "read", "api": "pandas.read_csv",
                           "location": "data/raw/events.csv", "resolution": "resolved",
                           "expression": "pd.read_csv('data/raw/events.csv', usecols=['tenure_days', 'plan'])",
                           "artifact": RAW}],
        "artifacts": [
            _artifact(RAW, "file", "data/raw/events.csv", "data", readers=["pipe/features.py"]),
            _artifact(FEATURES, "file", "data/features/train.parquet", "data", readers=["pipe/train.py"],
                      writers=["pipe/features.py"]),
            _artifact(MODEL, "file", "models/churn.joblib", "model", readers=["pipe/score.py"],
                      writers=["pipe/train.py"]),
            _artifact(SCORES, "table", "marts.scores", "prediction", writers=["pipe/score.py"])],
        "lineage_edges": [{"source": RAW, "target": "code:pipe/features.py", "mode": "read"},
                          {"source": "code:pipe/features.py", "target": FEATURES, "mode": "write"},
                          {"source": FEATURES, "target": "code:pipe/train.py", "mode": "read"},
                          {"source": "code:pipe/train.py", "target": MODEL, "mode": "write"},
                          {"source": MODEL, "target": "code:pipe/score.py", "mode": "read"},
                          {"source": "code:pipe/score.py", "target": SCORES, "mode": "write"}],
        "findings": [
            _finding(1, "undeclared_consumer", "pipe/score.py", {"artifact": MODEL, "declared": False, "share": 0.5}),
            _finding(2, "glue_code", None, {"files": ["pipe/a.py", "pipe/b.py"], "lines": 12}, section=5),
            _finding(3, "unstable_data_dependency", "pipe/features.py", {"artifact": RAW}, section=3)],
    })


@pytest.fixture
def stored(store):
    """The store with another scan first, so that the tiny scan's rows must be told from another's."""
    other = tiny_scan("other", "0" * 40)
    ingest_document(store, other.model_copy(update={
        "modules": other.modules[:1], "import_edges": [], "artifacts": other.artifacts[:1], "lineage_edges": [],
        "findings": other.findings[1:2], "data_accesses": []}), "other.json")
    return store, ingest_document(store, tiny_scan(), "tiny.json").scan_id


def test_import_rows_are_the_modules_and_edges_in_document_order(stored):
    store, scan_id = stored
    assert import_rows(store, scan_id) == ImportRows(
        (ModuleRow("pipe.train", "pipe/train.py", False, None), ModuleRow("pipe", "pipe/__init__.py", True, None),
         ModuleRow("pipe.features", "pipe/features.py", False, None),
         ModuleRow("pipe.score", "pipe/score.py", False, None)),
        (ImportEdgeRow("pipe.train", "pipe.features", 4), ImportEdgeRow("pipe.score", "pipe.train", 2),
         ImportEdgeRow("pipe.train", "pipe.features", 9), ImportEdgeRow("pipe.score", "pipe", 1)))
    # the first scan keeps its own modules
    assert import_rows(store, 1) == ImportRows((ModuleRow("pipe.train", "pipe/train.py", False, None),), ())
    graph = graphs.import_graph(import_rows(store, scan_id))
    assert graph.edges["pipe.train", "pipe.features"]["lines"] == (4, 9)  # both lines of the pair, in order
    assert list(graph) == ["pipe.train", "pipe", "pipe.features", "pipe.score"]


def test_lineage_rows_are_artifacts_edges_and_findings_with_decoded_evidence(stored):
    store, scan_id = stored
    rows = lineage_rows(store, scan_id)
    assert [a.id for a in rows.artifacts] == [RAW, FEATURES, MODEL, SCORES]
    assert rows.artifacts[2] == ArtifactRow(MODEL, "file", "models/churn.joblib", "model", ("pipe/score.py",),
                                            ("pipe/train.py",))
    assert rows.artifacts[0].writers == ()
    assert rows.lineage_edges[:2] == (LineageEdgeRow(RAW, "code:pipe/features.py", "read"),
                                      LineageEdgeRow("code:pipe/features.py", FEATURES, "write"))
    assert len(rows.lineage_edges) == 6
    consumer, glue, unstable = rows.findings
    assert consumer == FindingRow("undeclared_consumer", "pipe/score.py",
                                  {"artifact": MODEL, "declared": False, "share": 0.5})
    assert type(consumer.evidence["declared"]) is bool and type(consumer.evidence["share"]) is float
    assert (glue.kind, glue.file, dict(glue.evidence)) == ("glue_code", None, {"files": ("pipe/a.py", "pipe/b.py"),
                                                                               "lines": 12})
    assert unstable.evidence == {"artifact": RAW}
    other = lineage_rows(store, 1)
    assert ([a.id for a in other.artifacts], other.lineage_edges, [f.kind for f in other.findings]) == (
        [RAW], (), ["glue_code"])


def test_records_are_read_only(stored):
    store, scan_id = stored
    rows = lineage_rows(store, scan_id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows.artifacts[0].role = "model"
    with pytest.raises(TypeError):
        rows.findings[0].evidence["artifact"] = "elsewhere"
    assert isinstance(rows.findings[1].evidence["files"], tuple)


def test_an_empty_scan_reads_as_empty_and_an_unknown_one_is_a_store_error(store):
    empty = tiny_scan().model_copy(update={"modules": [], "import_edges": [], "artifacts": [], "lineage_edges": [],
                                           "findings": [], "data_accesses": []})
    scan_id = ingest_document(store, empty, "empty.json").scan_id
    assert import_rows(store, scan_id) == ImportRows((), ())
    assert lineage_rows(store, scan_id).artifacts == ()
    with pytest.raises(StoreError, match=r"^no scan with id 9 in the database .*test\.duckdb$"):
        import_rows(store, 9)
    with pytest.raises(StoreError, match="no scan with id 9"):
        lineage_rows(store, 9)


def test_find_artifact_by_id_then_by_location(stored):
    store, scan_id = stored
    assert find_artifact(store, scan_id, MODEL) == MODEL
    assert find_artifact(store, scan_id, "marts.scores") == SCORES
    assert find_artifact(store, scan_id, "models/other.joblib") is None
    assert find_artifact(store, scan_id, "x' OR '1'='1") is None  # a value, never SQL


def test_find_artifact_prefers_the_id_when_a_location_also_matches(store):
    doc = tiny_scan()
    odd = ScanDocument.model_validate({**doc.model_dump(), "artifacts": [
        *[a.model_dump() for a in doc.artifacts],
        _artifact("url:x", "url", MODEL, "data")]})  # a location spelled like another artifact's id
    scan_id = ingest_document(store, odd, "odd.json").scan_id
    assert find_artifact(store, scan_id, MODEL) == MODEL


def test_closures_are_derived_from_the_lineage_edges(stored):
    store, scan_id = stored  # what scan schema v4 stored as each artifact's `upstream` and `upstream_code`
    assert closures(store, scan_id, [SCORES, MODEL, RAW, "file:unknown", MODEL]) == {
        SCORES: Closure((FEATURES, RAW, MODEL), ("pipe/features.py", "pipe/score.py", "pipe/train.py")),
        MODEL: Closure((FEATURES, RAW), ("pipe/features.py", "pipe/train.py")),
        RAW: Closure((), ()), "file:unknown": Closure((), ())}


def test_a_cycle_ends_and_leaves_the_node_out_of_its_own_closure(store):
    loop = tiny_scan().model_copy(update={"lineage_edges": [
        *tiny_scan().lineage_edges,
        *tiny_scan().model_validate({**tiny_scan().model_dump(), "lineage_edges": [
            {"source": SCORES, "target": "code:pipe/features.py", "mode": "read"}]}).lineage_edges]})
    scan_id = ingest_document(store, loop, "loop.json").scan_id
    everything = ((FEATURES, RAW, MODEL), ("pipe/features.py", "pipe/score.py", "pipe/train.py"))
    assert closures(store, scan_id, [MODEL])[MODEL] == Closure((FEATURES, RAW, SCORES), everything[1])
    assert closures(store, scan_id, [SCORES])[SCORES] == Closure(*everything)
    assert models_fed_by(store, scan_id, [MODEL, SCORES]) == {MODEL: [], SCORES: [MODEL]}


def test_models_fed_by_follows_the_recorded_upstream(stored):
    store, scan_id = stored
    assert models_fed_by(store, scan_id, [RAW, FEATURES, SCORES, "file:unknown", RAW]) == {
        FEATURES: [MODEL], RAW: [MODEL], SCORES: [], "file:unknown": []}
    assert models_fed_by(store, None, [RAW]) == {RAW: []}  # no scan: feeds nothing
    assert models_fed_by(store, scan_id, []) == {}


def test_feature_cost_rows_by_name_by_code_expression_and_by_declared_source(stored):
    store, scan_id = stored
    rows = feature_cost_rows(store, scan_id, ["events_clicks", "tenure_days", "train_loss", "scored_at", "other"],
                             None, 3)
    assert sorted(rows, key=lambda r: r.feature) == [
        # named after data/raw/events.csv (stem 'events', then '_'): the file itself, no code writes it, unstable
        FeatureCostRow("events_clicks", (RAW,), 1, 0, 1),
        # a word of the code expression that reads the raw file
        FeatureCostRow("tenure_days", (RAW,), 1, 0, 1),
        # named after data/features/train.parquet: it and the raw file, both written by pipe/features.py
        FeatureCostRow("train_loss", (FEATURES,), 2, 1, 1)]  # 'scored_at' is no 'scores', 'other' names nothing


def test_feature_cost_rows_short_names_and_declared_sources(stored):
    store, scan_id = stored
    assert feature_cost_rows(store, scan_id, ["id", "x"], None, 3) == []
    [plan] = feature_cost_rows(store, scan_id, ["plan"], None, 3)
    assert plan == FeatureCostRow("plan", (RAW,), 1, 0, 1)  # four characters: found in the expression
    assert feature_cost_rows(store, scan_id, ["plan"], None, 5) == []
    with store.transaction() as cursor:
        cursor.execute("INSERT INTO feature_sources VALUES ('tiny', 'mean radius', ?)", [MODEL])
    assert feature_cost_rows(store, scan_id, ["mean radius"], None, 3) == []  # declared for a system not asked
    assert feature_cost_rows(store, scan_id, ["mean radius"], "tiny", 3) == [
        FeatureCostRow("mean radius", (MODEL,), 3, 2, 1)]
