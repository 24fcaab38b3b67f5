"""The DuckDB store: round trip, atomic refusals, idempotency, queries, threads, the inbox (migrations:
test_migrations.py; a stored scan's rows: test_scan_rows.py)."""

import json
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt_core.scan.schema import load_scan
from mldebt_core.store import (
    IngestError,
    Store,
    default_db_path,
    inbox_path,
    ingest_document,
    ingest_inbox,
    ingest_scan,
    queries,
    queue_scan,
)
from tests.conftest import PROJECT
from tests.store_helpers import (
    SAMPLE,
    SAMPLE_BYTES,
    answered_scan,
    as_bytes,
    assert_stored_whole_or_refused,
    modified_scan,
)

SYSTEM = SAMPLE["repo"]["name"]
STORED_LISTS = {  # scan document list -> the table holding one row per item (the other lists live in the document)
    "languages": "languages", "files": "files", "skipped": "skipped_files", "modules": "modules",
    "import_edges": "import_edges", "data_accesses": "data_accesses", "artifacts": "artifacts",
    "lineage_edges": "lineage_edges", "findings": "findings", "suppressed": "suppressed_findings",
    "warnings": "scan_warnings", "projects": "projects",
}


@pytest.fixture
def two_scans(store):
    first = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    second = ingest_scan(store, as_bytes(modified_scan()), "later.json")
    return store, first.scan_id, second.scan_id


# -- round trip, idempotency ---------------------------------------------------------------------------

def test_round_trip_counts_equal_the_document_and_the_document_comes_back(store):
    result = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    assert (result.scan_id, result.system, result.created) == (1, SYSTEM, True)
    counts = store.table_counts()
    for key, table in STORED_LISTS.items():
        assert counts[table] == len(SAMPLE[key]), table
    assert SAMPLE["configs"] and SAMPLE["external_packages"] and SAMPLE["config_reads"]  # kept in the document only
    assert not {"configs", "config_settings", "config_reads", "external_packages"} & set(counts)
    assert (counts["systems"], counts["scans"]) == (1, 1)
    stored = store.query_value("SELECT document FROM scans WHERE id = 1")
    assert load_scan(stored) == load_scan(SAMPLE_BYTES)  # the untouched original, every list included
    evidence = store.query_value("SELECT evidence FROM findings WHERE finding_id = ?", [SAMPLE["findings"][0]["id"]])
    assert json.loads(evidence) == SAMPLE["findings"][0]["evidence"]


def test_reingesting_the_same_scan_inserts_nothing_even_reformatted(store):
    first = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    before = store.table_counts()
    again = ingest_scan(store, json.dumps(SAMPLE, indent=4).encode(), "copy.json")
    assert (again.scan_id, again.created) == (first.scan_id, False)
    assert store.table_counts() == before
    other = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json", system="another")
    assert other.created and other.scan_id != first.scan_id
    assert queries.list_systems(store) == sorted(["another", SYSTEM])


def test_an_older_scan_version_is_migrated_on_ingest(store):
    v1 = PROJECT / "tests" / "assets" / "demo_scan_v1.json"
    result = ingest_scan(store, v1.read_bytes(), "v1.json")
    assert result.created
    assert store.query_value("SELECT min(confidence) FROM findings WHERE scan_id = ?", [result.scan_id]) == 100


# -- refusals: one sentence, nothing written --------------------------------------------------------------

def _broken(case: str) -> bytes:
    document = modified_scan()
    if case == "bad_json":
        return b'{"schema_version": 2,\n "tool": }'
    if case == "unknown_version":
        document["schema_version"] = 7
    elif case == "missing_field":
        del document["files"][2]["language"]
    elif case == "bad_severity":
        document["findings"][3]["severity"] = "urgent"
    elif case == "top_level_array":
        return b"[1, 2]"
    elif case == "not_text":
        return b"\xff\xfe\x00garbage\x80"
    return as_bytes(document)


@pytest.mark.parametrize("case, expected", [
    ("bad_json", "broken.json: not valid JSON at line 2, column 10: Expecting value"),
    ("unknown_version", "broken.json: schema_version: unknown scan schema version 7; this mldebt reads versions 1 to"),
    ("missing_field", "broken.json: files[2].language: required field is missing"),
    ("bad_severity", "broken.json: findings[3].severity: expected 'low', 'medium', 'high' or 'critical', got 'urgent'"),
    ("top_level_array", "broken.json: (top level): expected a JSON object (a scan document), got a JSON array"),
    ("not_text", "broken.json: not"),
])
def test_bad_input_is_refused_with_one_sentence_and_changes_nothing(store, case, expected):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    before = store.table_counts()
    with pytest.raises(IngestError) as refused:
        ingest_scan(store, _broken(case), "broken.json")
    message = str(refused.value)
    assert message.startswith(expected) and "\n" not in message
    assert store.table_counts() == before


def test_an_oversized_scan_is_refused_before_parsing(store):
    with pytest.raises(IngestError, match=rf"^big\.json: {len(SAMPLE_BYTES):,} bytes is more than the 1,000-byte limit "
                                          r"for a scan \(setting StoreSettings\.max_scan_bytes\)$"):
        ingest_scan(store, SAMPLE_BYTES, "big.json", max_bytes=1000)
    assert store.table_counts()["scans"] == 0


def test_a_failure_midway_through_the_insert_rolls_everything_back(store):
    """Findings are inserted last: a number too large for BIGINT there fails after every other table was written."""
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    before = store.table_counts()
    document = load_scan(as_bytes(modified_scan()))  # parse_scan refuses such a number: build it past it
    last = document.findings[-1].model_copy(update={"line": 2 ** 70})
    document = document.model_copy(update={"findings": [*document.findings[:-1], last]})
    with pytest.raises(IngestError, match=r"^huge\.json: findings: a value cannot be stored"):
        ingest_document(store, document, "huge.json")
    assert store.table_counts() == before
    assert queries.list_scans(store, SYSTEM)["scan_id"].tolist() == [1]


def _json_values():
    return st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2 ** 62, max_value=2 ** 80),
                     st.floats(allow_nan=False), st.text(max_size=20), st.lists(st.text(max_size=5), max_size=3))


@st.composite
def _mutated_scans(draw) -> bytes:
    """The sample with one field of one list item (or of repo) replaced by an arbitrary JSON value."""
    document = json.loads(SAMPLE_BYTES)
    section = draw(st.sampled_from(["repo", "tool", "findings", "files", "modules", "artifacts", "configs"]))
    target = document[section]
    if isinstance(target, list):
        target = target[draw(st.integers(0, len(target) - 1))]
    key = draw(st.sampled_from(sorted(target)))
    target[key] = draw(_json_values())
    return as_bytes(document)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("prop") / "prop.duckdb") as opened:
        yield opened


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=200), _mutated_scans()))
def test_any_bytes_are_stored_whole_or_refused_with_the_user_error(shared_store, data):
    assert_stored_whole_or_refused(shared_store, data)


def test_default_path_honours_mldebt_db_then_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("MLDEBT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "mldebt" / "mldebt.duckdb"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert default_db_path() == Path.home() / ".local" / "share" / "mldebt" / "mldebt.duckdb"
    monkeypatch.setenv("MLDEBT_DB", str(tmp_path / "x.duckdb"))
    assert default_db_path() == tmp_path / "x.duckdb"


def test_memory_store_works_and_has_no_inbox():
    with Store(":memory:") as store:
        assert ingest_scan(store, SAMPLE_BYTES, "demo_scan.json").created
        assert ingest_inbox(store) == []


# -- queries ---------------------------------------------------------------------------------------------

def test_systems_scans_and_latest(two_scans):
    store, first, second = two_scans
    assert queries.list_systems(store) == [SYSTEM]
    scans = queries.list_scans(store, SYSTEM)
    assert scans["scan_id"].tolist() == [second, first]  # newest first
    assert scans["findings"].tolist() == [len(SAMPLE["findings"]) - 2, len(SAMPLE["findings"])]
    assert scans["commit"].tolist()[0] == "b" * 40
    assert queries.latest_scan(store, SYSTEM) == second
    assert queries.latest_scan(store, "nobody") is None
    assert queries.list_scans(store, "nobody").empty


def test_findings_filters(two_scans):
    store, first, _ = two_scans
    everything = queries.findings(store, first)
    assert len(everything) == len(SAMPLE["findings"])
    assert set(everything["finding_id"]) == {f["id"] for f in SAMPLE["findings"]}
    config = queries.findings(store, first, kinds=["config_debt"])
    assert len(config) == sum(f["kind"] == "config_debt" for f in SAMPLE["findings"]) > 0
    high = queries.findings(store, first, severities=["high", "critical"], sections=[4])
    assert set(high["kind"]) <= {"direct_feedback_loop", "hidden_feedback_loop"} and len(high) > 0
    in_churn = queries.findings(store, first, file_like="churn/%")
    assert len(in_churn) == sum((f["file"] or "").startswith("churn/") for f in SAMPLE["findings"]) > 0
    assert queries.findings(store, first, kinds=[]).empty
    assert queries.findings(store, first, file_like="'; DROP TABLE findings; --").empty
    assert store.table_counts()["findings"] > 0


def test_trend_counts_per_scan_and_kind(two_scans):
    store, first, second = two_scans
    trend = queries.findings_trend(store, SYSTEM)
    assert trend["scan_id"].unique().tolist() == [first, second]  # oldest first
    assert trend["findings"].sum() == 2 * len(SAMPLE["findings"]) - 2
    row = trend[(trend.scan_id == second) & (trend.kind == "fixed_threshold")]
    expected = sum(f["kind"] == "fixed_threshold" for f in modified_scan()["findings"])
    assert row["findings"].tolist() == [expected]


def test_diff_new_fixed_kept_by_stable_id(two_scans):
    store, first, second = two_scans
    diff = queries.findings_diff(store, second, first)
    by_status = diff.groupby("status")["finding_id"].apply(set).to_dict()
    assert by_status["new"] == {"fixed_threshold:000000000001"}
    assert by_status["fixed"] == {f["id"] for f in SAMPLE["findings"][:3]}
    assert len(by_status["kept"]) == len(SAMPLE["findings"]) - 3


def test_confidence_floor_of_the_counts_trend_and_diff(two_scans):
    store, first, second = two_scans
    unsure = [f for f in SAMPLE["findings"] if f["confidence"] < 70]
    summary = queries.scan_summary(store, first, min_confidence=70)
    assert (summary["findings"], summary["hidden"]) == (len(SAMPLE["findings"]) - len(unsure), len(unsure)) != (0, 0)
    assert summary["high_or_critical"] == sum(f["severity"] in ("high", "critical") for f in SAMPLE["findings"]
                                              if f["confidence"] >= 70)
    assert queries.scan_summary(store, first)["hidden"] == 0
    trend = queries.findings_trend(store, SYSTEM, min_confidence=70)
    assert trend[trend.scan_id == first]["findings"].sum() == summary["findings"]
    diff = queries.findings_diff(store, second, first, min_confidence=70)
    assert diff["confidence"].min() >= 70 and len(diff) < len(queries.findings_diff(store, second, first))


def test_what_scan_schema_3_added_round_trips(store):
    document = answered_scan()
    scan_id = ingest_scan(store, as_bytes(document), "answered.json").scan_id
    counts = store.table_counts()
    for key, table in STORED_LISTS.items():
        assert counts[table] == len(document[key]), table
    suppressed = queries.suppressed_findings(store, scan_id)
    assert sorted(zip(suppressed["finding_id"], suppressed["how"], suppressed["reason"])) == sorted(
        (s["finding"]["id"], s["how"], s["reason"]) for s in document["suppressed"])
    assert json.loads(suppressed.set_index("how").loc["inline", "evidence"]) == document["suppressed"][0][
        "finding"]["evidence"]
    assert queries.findings(store, scan_id, projects=["churn"])["project"].tolist() == ["churn"]
    assert queries.findings(store, scan_id, projects=[]).empty
    assert queries.scan_warnings(store, scan_id)["message"].tolist() == [w["message"] for w in document["warnings"]]
    skipped = queries.skipped_files(store, scan_id)
    assert list(zip(skipped["path"], skipped["cell"], skipped["line"])) == [
        ("notebooks/eda.ipynb", 2, 1), ("notebooks/eda.ipynb", 5, 1)]
    summary = queries.scan_summary(store, scan_id)
    assert (summary["suppressed"], summary["warnings"], summary["not_analysed"], summary["skipped"]) == (2, 2, 1, 2)
    assert summary["files"] == len(document["files"])


def test_languages(two_scans):
    store, first, second = two_scans
    assert queries.languages(store, first)["language"].tolist() == [x["language"] for x in sorted(
        SAMPLE["languages"], key=lambda x: (-x["lines"], x["language"]))]
    assert "Rust" in queries.languages(store, second)["language"].tolist()


# -- threads ---------------------------------------------------------------------------------------------

def test_readers_see_whole_scans_while_one_thread_ingests(store):
    """Four readers poll while a writer ingests six scans: no errors, and no scan is ever seen half-stored."""
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    expected_findings = len(modified_scan()["findings"])
    errors: list[BaseException] = []
    done = threading.Event()
    observations = []

    def read():
        try:
            while not done.is_set():
                with store.cursor() as cursor:  # one cursor per thread
                    rows = cursor.execute(
                        "SELECT s.id, (SELECT count(*) FROM findings f WHERE f.scan_id = s.id), "
                        "(SELECT count(*) FROM import_edges e WHERE e.scan_id = s.id) FROM scans s").fetchall()
                observations.append(rows)
                for scan_id, found, edges in rows:
                    assert found == (len(SAMPLE["findings"]) if scan_id == 1 else expected_findings), rows
                    assert edges == len(SAMPLE["import_edges"]), rows
                queries.findings_trend(store, SYSTEM)
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for n in range(6):
            ingest_scan(store, as_bytes(modified_scan(commit=f"{n:040d}")), f"scan{n}.json")
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert observations and len(observations[-1]) >= 1
    assert store.table_counts()["scans"] == 7


# -- the inbox -------------------------------------------------------------------------------------------

def test_inbox_ingests_queued_scans_and_rejects_bad_ones(store):
    queued = queue_scan(store.path, load_scan(SAMPLE_BYTES), "demo_scan.json", system="queued")
    assert queued.parent == inbox_path(store.path) and queued.name.endswith("-demo_scan.json")
    bad = inbox_path(store.path) / "99999999999999999999-1-bad.json"
    bad.write_text('{"schema_version": 2}')
    (inbox_path(store.path) / ".half-written.tmp").write_text("{")
    outcomes = ingest_inbox(store)
    assert [(o.file, o.result.system if o.result else None) for o in outcomes] == [
        (queued.name, "queued"), (bad.name, None)]
    assert outcomes[1].error.startswith(f"{bad.name}: tool: required field is missing")
    assert sorted(p.name for p in inbox_path(store.path).iterdir()) == [".half-written.tmp", "rejected"]
    rejected = inbox_path(store.path) / "rejected"
    assert (rejected / f"{bad.name}.error.txt").read_text() == outcomes[1].error + "\n"
    assert (rejected / bad.name).exists()
    assert ingest_inbox(store) == []


def test_child_table_columns_are_exactly_the_database_columns(store):
    from mldebt_core.store.tables import CHILD_TABLES

    for table in CHILD_TABLES:
        assert sorted(store.cursor().table(table.name).columns) == sorted(
            ["scan_id", *(name for name, _ in table.columns)]), table.name


def test_temporary_files_left_in_the_inbox_are_ignored_then_removed_once_stale(store):
    import os
    import time

    from mldebt_core.settings import DEFAULT_STORE_SETTINGS

    inbox = inbox_path(store.path)
    inbox.mkdir()
    fresh, stale, empty_name = inbox / ".a1b2.tmp", inbox / ".c3d4.tmp", inbox / ".tmp"
    for path in (fresh, stale, empty_name):
        path.write_bytes(b"")  # a writer killed before its first byte
    old = time.time() - DEFAULT_STORE_SETTINGS.stale_inbox_temp_seconds - 60
    os.utime(stale, (old, old))
    os.utime(empty_name, (old, old))
    assert ingest_inbox(store) == []
    assert sorted(p.name for p in inbox.iterdir()) == [fresh.name]  # a live writer's file is left alone
    assert store.table_counts()["scans"] == 0
