"""Schema migrations: databases of every older version open at the current one, keeping their scans."""

import hashlib
import json

import duckdb
import networkx as nx
import pytest

from mldebt_core import graphs
from mldebt_core.scan.schema import ScanDocument, load_scan
from mldebt_core.store import Store, StoreError, ingest_document, ingest_scan, queries
from mldebt_core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from mldebt_core.store.scan_rows import closures, import_rows, lineage_rows, models_fed_by
from mldebt_core.store.tables import CHILD_TABLES
from tests.conftest import upstream_of
from tests.store_helpers import SAMPLE, SAMPLE_BYTES, answered_scan, as_bytes, modified_scan

DROPPED_IN_V5 = {"external_packages", "configs", "config_settings", "config_reads"}
ADDED_IN_V6 = {"suppressed_findings", "scan_warnings", "projects"}
COLUMNS_ADDED_IN_V6 = {"findings": {"project"}, "modules": {"project"}, "files": {"analysed"},
                       "skipped_files": {"cell"}}
COLUMNS_ADDED_LATER = {"findings": {"excerpt"}, "suppressed_findings": {"excerpt"}}  # v7: scan schema v4's excerpts


def test_a_version_1_database_is_migrated_forward_keeping_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a database as mldebt with schema version 1 left it
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO systems (name) VALUES ('old')")
    con.execute("INSERT INTO scans (id, system, scanned_at, tool_version, schema_version, content_sha256, "
                "source_name, document) VALUES (1, 'old', '2025-01-01T00:00:00Z', '0.0.1', 1, 'x', 'old.json', '{}')")
    con.execute("INSERT INTO findings (scan_id, finding_id, kind, paper_section, severity, message, evidence) "
                "VALUES (1, 'glue_code:1', 'glue_code', 5, 'low', 'glue', '{}')")
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.query("SELECT finding_id, confidence, cell FROM findings") == [("glue_code:1", 100, None)]
        assert store.query_value("SELECT code_health FROM scans WHERE id = 1") == "{}"
        assert not DROPPED_IN_V5 & set(store.table_counts())
        assert ingest_scan(store, SAMPLE_BYTES, "demo_scan.json").scan_id == 2
    with Store(path) as reopened:  # reopening a current database changes nothing
        assert reopened.schema_version() == SCHEMA_VERSION and reopened.table_counts()["scans"] == 2


# -- v4 -> v5: the tables nothing read are dropped, every scan is still served ------------------------------

def _v5_rows(document: ScanDocument) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """{table: (columns, rows)} of one scan as mldebt with schema version 5 stored it (before v6's columns)."""
    tables = {}
    for table in CHILD_TABLES:
        if table.name in ADDED_IN_V6:
            continue
        added = COLUMNS_ADDED_IN_V6.get(table.name, set()) | COLUMNS_ADDED_LATER.get(table.name, set())
        kept = [i for i, (name, _) in enumerate(table.columns) if name not in added]
        tables[table.name] = (tuple(table.columns[i][0] for i in kept),
                              [tuple(row[i] for i in kept) for row in table.rows(document)])
    return tables


def _v4_rows(document: ScanDocument) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """{table: (columns, rows)} of one scan as mldebt with schema version 4 stored it: every child table."""
    tables = _v5_rows(document)
    tables["external_packages"] = (("name", "ml", "imported_by"),
                                   [(p.name, p.ml, p.imported_by) for p in document.external_packages])
    tables["configs"] = (("path", "format", "key_count", "feature_count"),
                         [(c.path, c.format, c.key_count, c.feature_count) for c in document.configs])
    tables["config_settings"] = (("path", "key", "value", "line"),
                                 [(c.path, s.key, s.value, s.line) for c in document.configs for s in c.settings])
    tables["config_reads"] = (("file", "line", "key", "how"),
                              [(r.file, r.line, r.key, r.how) for r in document.config_reads])
    return tables


def _write_old_database(path, documents: list[ScanDocument], version: int) -> None:
    """A database as mldebt with schema `version` (4, 5 or 7) left it, holding `documents` (at 7, without the
    artifacts' closures: the caller fills them in)."""
    con = duckdb.connect(str(path))
    for step in MIGRATIONS[:version]:
        for statement in step:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(version)])
    for scan_id, document in enumerate(documents, start=1):
        canonical = document.model_dump_json()
        con.execute("INSERT OR IGNORE INTO systems (name) VALUES (?)", [document.repo.name])
        con.execute("INSERT INTO scans (id, system, repo_commit, branch, scanned_at, tool_version, schema_version, "
                    "content_sha256, source_name, document, code_health) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [scan_id, document.repo.name, document.repo.commit, document.repo.branch,
                     document.repo.scanned_at, document.tool.version, document.schema_version,
                     hashlib.sha256(canonical.encode()).hexdigest(), f"scan{scan_id}.json", canonical,
                     document.code_health.model_dump_json()])
        tables = _v4_rows(document) if version == 4 else _v5_rows(document) if version == 5 else {
            table.name: (tuple(name for name, _ in table.columns), list(table.rows(document)))
            for table in CHILD_TABLES}
        for table, (columns, rows) in tables.items():
            if rows:
                con.executemany(f"INSERT INTO {table} (scan_id, {', '.join(columns)}) "
                                f"VALUES ({', '.join('?' * (len(columns) + 1))})", [(scan_id, *row) for row in rows])
    con.close()


def _same_graph(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return list(a.nodes(data=True)) == list(b.nodes(data=True)) and list(a.edges(data=True)) == list(b.edges(data=True))


def test_a_version_4_database_drops_the_unread_tables_and_still_serves_its_scans(tmp_path):
    path = tmp_path / "v4.duckdb"
    documents = [load_scan(SAMPLE_BYTES), load_scan(as_bytes(modified_scan()))]
    _write_old_database(path, documents, version=4)
    with duckdb.connect(str(path)) as con:
        before = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in [t.name for t in CHILD_TABLES if t.name not in ADDED_IN_V6] + ["scans"]}
        originals = con.execute("SELECT id, document FROM scans ORDER BY id").fetchall()
        assert all(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0 for table in DROPPED_IN_V5)
    assert SAMPLE["configs"] and SAMPLE["external_packages"] and SAMPLE["config_reads"]

    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        counts = store.table_counts()
        assert not DROPPED_IN_V5 & set(counts)
        assert {table: counts[table] for table in before} == before  # every other row kept
        assert store.query("SELECT id, document FROM scans ORDER BY id") == originals  # the originals untouched
        for scan_id, document in enumerate(documents, start=1):
            assert _same_graph(graphs.import_graph(import_rows(store, scan_id)), graphs.import_graph(document))
            assert _same_graph(graphs.lineage_graph(lineage_rows(store, scan_id)), graphs.lineage_graph(document))
            assert set(queries.findings(store, scan_id)["finding_id"]) == {f.id for f in document.findings}
        again = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
        assert (again.scan_id, again.created) == (1, False)  # same content: recognised, nothing added
        later = ingest_scan(store, as_bytes(modified_scan(commit="c" * 40)), "later.json")
        assert later.created and later.scan_id == 3
        assert store.table_counts()["modules"] == 3 * len(SAMPLE["modules"])


def test_a_database_from_a_newer_mldebt_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as store, store.transaction() as cursor:
        cursor.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    with pytest.raises(StoreError, match=f"has schema version {SCHEMA_VERSION + 1}, written by a newer mldebt"):
        Store(path)


# -- v5 -> v6: what scan schema v3 added gets its rows, also for the v3 scans a v5 database already held ---------

def _rows(store: Store, table, scan_id: int) -> list[tuple]:
    """A table's rows of one scan in stored order, with a finding's evidence decoded (its JSON text may differ)."""
    names = [name for name, _ in table.columns]
    rows = store.query(f"SELECT {', '.join(names)} FROM {table.name} WHERE scan_id = ? ORDER BY rowid", [scan_id])
    return [tuple(json.loads(v) if name == "evidence" else v for name, v in zip(names, row)) for row in rows]


def _as_v3(document: ScanDocument) -> ScanDocument:
    """The document as scan schema v3 had it, the only kind a version-5 database can hold: no excerpts."""
    def bare(finding):
        return finding.model_copy(update={"excerpt": None})
    return document.model_copy(update={
        "findings": [bare(f) for f in document.findings],
        "suppressed": [s.model_copy(update={"finding": bare(s.finding)}) for s in document.suppressed]})


def test_a_version_5_database_gets_the_rows_of_what_scan_schema_3_added(tmp_path):
    documents = [_as_v3(load_scan(SAMPLE_BYTES)), _as_v3(load_scan(as_bytes(answered_scan())))]
    _write_old_database(tmp_path / "v5.duckdb", documents, version=5)
    with Store(tmp_path / "fresh.duckdb") as fresh:  # what this mldebt stores for the same documents
        for number, document in enumerate(documents, start=1):
            ingest_document(fresh, document, f"scan{number}.json")
        expected = {table.name: [_rows(fresh, table, scan_id) for scan_id in (1, 2)] for table in CHILD_TABLES}

    with Store(tmp_path / "v5.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION
        for table in CHILD_TABLES:
            assert [_rows(store, table, scan_id) for scan_id in (1, 2)] == expected[table.name], table.name
        projects = queries.projects(store, 2)
        assert list(zip(projects["path"], projects["name"], map(list, projects["markers"]))) == [
            ("churn", "churn", ["pyproject.toml", "dvc.yaml"]), ("upsell", "upsell", ["requirements.txt"])]
        assert queries.scan_warnings(store, 2)["path"].fillna("-").tolist() == ["pyproject.toml", "-"]
        suppressed = queries.suppressed_findings(store, 2).set_index("how")
        assert suppressed.loc["config", "project"] == "churn" and suppressed.loc["inline", "reason"] != ""
        assert queries.skipped_files(store, 2)["cell"].tolist() == [2, 5]
        summary = queries.scan_summary(store, 2)
        assert (summary["suppressed"], summary["warnings"], summary["not_analysed"]) == (2, 2, 1)
        assert queries.findings(store, 2, projects=["churn"])["finding_id"].tolist() == [
            answered_scan()["findings"][0]["id"]]
        assert [queries.scan_summary(store, 1)[key] for key in ("suppressed", "warnings", "not_analysed")] == [0, 0, 0]
        assert queries.projects(store, 1).empty and queries.suppressed_findings(store, 1).empty
        again = ingest_document(store, documents[1], "again.json")
        assert (again.scan_id, again.created) == (2, False)


def test_a_version_6_database_keeps_the_age_of_its_analysis_findings(tmp_path):
    path = tmp_path / "v6.duckdb"
    con = duckdb.connect(str(path))
    for step in MIGRATIONS[:6]:
        for statement in step:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '6')")
    for recorded_at in ("2026-01-05 10:00:00+00", "2026-02-01 10:00:00+00"):  # one finding recorded twice
        con.execute("INSERT INTO analysis_findings (system, source, finding_id, kind, severity, location, message, "
                    "evidence, recorded_at) VALUES ('s', 'monitoring', 'monitoring_gap:1', 'monitoring_gap', 'high', "
                    "'feature:x', 'x drifted', '{}', ?)", [recorded_at])
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        first = store.query("SELECT system, finding_id, first_seen::DATE::VARCHAR FROM analysis_first_seen")
        assert first == [("s", "monitoring_gap:1", "2026-01-05")]
        assert store.table_counts()["triage_events"] == 0 and store.table_counts()["retrospectives"] == 0


# -- v7 -> v8: the artifacts' stored closures are dropped, every closure is derived from the lineage edges -------

def test_a_version_7_database_drops_the_stored_closures_and_serves_the_same_graphs_and_closures(tmp_path):
    documents = [load_scan(SAMPLE_BYTES), load_scan(as_bytes(modified_scan()))]
    _write_old_database(tmp_path / "v7.duckdb", documents, version=7)
    with duckdb.connect(str(tmp_path / "v7.duckdb")) as con:  # scan schema v4 stored each artifact's closure
        for scan_id, document in enumerate(documents, start=1):
            for artifact in document.artifacts:
                upstream, code = upstream_of(document, artifact.id)
                con.execute("UPDATE artifacts SET upstream = ?, upstream_code = ? WHERE scan_id = ? AND id = ?",
                            [upstream, code, scan_id, artifact.id])
        stored = {(scan_id, id_): (tuple(up), tuple(code)) for scan_id, id_, up, code in con.execute(
            "SELECT scan_id, id, upstream, upstream_code FROM artifacts").fetchall()}
        models = con.execute("SELECT DISTINCT id FROM artifacts WHERE role = 'model'").fetchall()
    assert any(up for up, _ in stored.values()) and models

    with Store(tmp_path / "v7.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION == 8
        columns = {name for (name,) in store.query("SELECT column_name FROM duckdb_columns() "
                                                   "WHERE table_name = 'artifacts'")}
        assert not columns & {"upstream", "upstream_code"}
        for scan_id, document in enumerate(documents, start=1):
            ids = [a.id for a in document.artifacts]
            derived = closures(store, scan_id, ids)
            assert {(scan_id, i): (derived[i].upstream, derived[i].upstream_code) for i in ids} == {
                key: value for key, value in stored.items() if key[0] == scan_id}
            assert _same_graph(graphs.lineage_graph(lineage_rows(store, scan_id)), graphs.lineage_graph(document))
            fed = models_fed_by(store, scan_id, ids)
            assert fed == {i: sorted(m for m in ids if i in stored[scan_id, m][0] and
                                     next(a for a in document.artifacts if a.id == m).role == "model") for i in ids}
