"""Schema migrations: databases of every older version open at the current one, keeping their scans."""

import hashlib

import duckdb
import networkx as nx
import pytest

from mldebt_core import graphs
from mldebt_core.scan.schema import ScanDocument, load_scan
from mldebt_core.store import Store, StoreError, ingest_scan, queries
from mldebt_core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from mldebt_core.store.scan_rows import import_rows, lineage_rows
from mldebt_core.store.tables import CHILD_TABLES
from tests.store_helpers import SAMPLE, SAMPLE_BYTES, as_bytes, modified_scan

DROPPED_IN_V5 = {"external_packages", "configs", "config_settings", "config_reads"}


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

def _v4_rows(document: ScanDocument) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """{table: (columns, rows)} of one scan as mldebt with schema version 4 stored it: every child table."""
    tables = {table.name: (tuple(name for name, _ in table.columns), list(table.rows(document)))
              for table in CHILD_TABLES}
    tables["external_packages"] = (("name", "ml", "imported_by"),
                                   [(p.name, p.ml, p.imported_by) for p in document.external_packages])
    tables["configs"] = (("path", "format", "key_count", "feature_count"),
                         [(c.path, c.format, c.key_count, c.feature_count) for c in document.configs])
    tables["config_settings"] = (("path", "key", "value", "line"),
                                 [(c.path, s.key, s.value, s.line) for c in document.configs for s in c.settings])
    tables["config_reads"] = (("file", "line", "key", "how"),
                              [(r.file, r.line, r.key, r.how) for r in document.config_reads])
    return tables


def _write_v4_database(path, documents: list[ScanDocument]) -> None:
    con = duckdb.connect(str(path))
    for step in MIGRATIONS[:4]:
        for statement in step:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '4')")
    for scan_id, document in enumerate(documents, start=1):
        canonical = document.model_dump_json()
        con.execute("INSERT OR IGNORE INTO systems (name) VALUES (?)", [document.repo.name])
        con.execute("INSERT INTO scans (id, system, repo_commit, branch, scanned_at, tool_version, schema_version, "
                    "content_sha256, source_name, document, code_health) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [scan_id, document.repo.name, document.repo.commit, document.repo.branch,
                     document.repo.scanned_at, document.tool.version, document.schema_version,
                     hashlib.sha256(canonical.encode()).hexdigest(), f"scan{scan_id}.json", canonical,
                     document.code_health.model_dump_json()])
        for table, (columns, rows) in _v4_rows(document).items():
            if rows:
                con.executemany(f"INSERT INTO {table} (scan_id, {', '.join(columns)}) "
                                f"VALUES ({', '.join('?' * (len(columns) + 1))})", [(scan_id, *row) for row in rows])
    con.close()


def _same_graph(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return list(a.nodes(data=True)) == list(b.nodes(data=True)) and list(a.edges(data=True)) == list(b.edges(data=True))


def test_a_version_4_database_drops_the_unread_tables_and_still_serves_its_scans(tmp_path):
    path = tmp_path / "v4.duckdb"
    documents = [load_scan(SAMPLE_BYTES), load_scan(as_bytes(modified_scan()))]
    _write_v4_database(path, documents)
    with duckdb.connect(str(path)) as con:
        before = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in [t.name for t in CHILD_TABLES] + ["scans"]}
        originals = con.execute("SELECT id, document FROM scans ORDER BY id").fetchall()
        assert all(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0 for table in DROPPED_IN_V5)
    assert SAMPLE["configs"] and SAMPLE["external_packages"] and SAMPLE["config_reads"]

    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == 5
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
