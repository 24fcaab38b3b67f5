"""The store accepts only scans every page can render: each file of the hostile corpus (tests/assets/hostile_scans)
is refused with one line naming the file and the field, by the store, the CLI and the inbox alike, and nothing
is stored; a full disk is told as such; arbitrary hostile edits of the sample are stored whole or refused."""

import json
import re

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt_core.scan.schema import load_scan
from mldebt_core.store import IngestError, Store, StoreError, inbox_path, ingest_inbox, ingest_scan, queue_scan
from tests.conftest import PROJECT, run
from tests.store_helpers import SAMPLE_BYTES, assert_stored_whole_or_refused

CORPUS = PROJECT / "tests" / "assets" / "hostile_scans"
REFUSED = {  # file -> the refusal after "<file>: "
    "duplicate_findings_key.json": "(top level): duplicate key 'findings' (a JSON object names each key once)",
    "duplicate_nested_key.json": "findings[0]: duplicate key 'kind'",
    "nan_in_evidence.json": "findings[0].evidence.value: NaN is not a JSON number",
    "infinity_in_code_health.json": "code_health.glue_share: Infinity is not a JSON number",
    "minus_infinity_in_evidence.json": "findings[0].evidence.value: -Infinity is not a JSON number",
    "exponent_overflow.json": "code_health.glue_share: number 1e999 is too large to be a finite number",
    "integer_of_5000_digits.json": "findings[0].line: integer 999999999999… (5,000 digits) is out of range",
    "integer_2_pow_63.json": "findings[0].line: integer 9223372036854775808 is out of range",
    "lone_surrogate_in_message.json": r"findings[0].message: invalid Unicode: a lone surrogate \ud800",
    "lone_surrogate_in_key.json": r"findings[0].evidence: a key holds invalid Unicode: a lone surrogate \udc00",
    "encoded_surrogate_bytes.json": "not valid UTF-8 text at byte",
    "missing_schema_version.json": "schema_version: missing; a scan document states its schema version (1 to 5)",
    "unknown_finding_kind.json": "findings[0].kind: unknown kind 'x' (expected one of entanglement, ",
    "unknown_suppressed_kind.json": "suppressed[0].finding.kind: unknown kind 'rootkit'",
    "dangling_lineage_edge.json": "lineage_edges[1].target: names artifact 'file:models/ghost.joblib', which the "
                                  "scan's artifacts do not list",
    "dangling_data_access.json": "data_accesses[0].artifact: names artifact 'file:elsewhere.csv'",
    "negative_summary_files.json": "summary.files: expected 0 or more, got -1",
    "negative_findings_by_kind.json": "summary.findings_by_kind.fixed_threshold: expected 0 or more, got -5",
    "negative_language_lines.json": "languages[0].lines: expected 0 or more, got -3",
    "negative_file_bytes.json": "files[0].bytes: expected 0 or more, got -60",
    "negative_code_health.json": "code_health.dead_lines: expected 0 or more, got -1",
}


def test_the_corpus_is_every_file_of_the_folder_and_its_valid_base_is_stored(store):
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted([*REFUSED, "valid_minimal.json"])
    assert ingest_scan(store, (CORPUS / "valid_minimal.json").read_bytes(), "valid_minimal.json").created


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_scan_is_refused_naming_the_file_and_field_and_nothing_is_stored(store, name):
    with pytest.raises(IngestError) as refused:
        ingest_scan(store, (CORPUS / name).read_bytes(), name)
    message = str(refused.value)
    assert message.startswith(f"{name}: {REFUSED[name]}") and "\n" not in message
    assert store.table_counts()["scans"] == 0


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_cli_refuses_it_with_exit_2_and_one_line(tmp_path, capsys, name):
    db = tmp_path / "m.duckdb"
    code, out, err = run(["--db", str(db), "ingest-scan", str(CORPUS / name)], capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"mldebt: error: {CORPUS / name}: {REFUSED[name]}")
    assert not db.exists() or Store(db).table_counts()["scans"] == 0


def test_a_queued_hostile_scan_moves_to_rejected_with_its_reason(store):
    inbox = inbox_path(store.path)
    inbox.mkdir()
    queued = inbox / "00000000000000000001-1-unknown_finding_kind.json"
    queued.write_bytes((CORPUS / "unknown_finding_kind.json").read_bytes())
    [outcome] = ingest_inbox(store)
    assert outcome.result is None and not outcome.kept
    assert outcome.error.startswith(f"{queued.name}: findings[0].kind: unknown kind 'x'")
    assert outcome.report(inbox) == f"queued scan {queued.name} was refused and moved to {inbox / 'rejected'}: " \
                                    f"{outcome.error}"
    assert (inbox / "rejected" / queued.name).exists() and store.table_counts()["scans"] == 0


# -- the disk, not the input --------------------------------------------------------------------------------

class _FullDisk:
    """A cursor whose commit of a scan fails as DuckDB's does when the disk is full (opening and migrating the
    database still work); everything else is the real cursor."""

    def __init__(self, cursor):
        self._cursor, self._scan = cursor, False

    def execute(self, sql, *params):
        self._scan |= sql.startswith("INSERT INTO scans")
        return self._cursor.execute(sql, *params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()

    def commit(self):
        if not self._scan:
            return self._cursor.commit()
        raise duckdb.IOException('IO Error: Could not write all bytes to file "/srv/m.duckdb.wal": '
                                 'No space left on device')


@pytest.fixture
def full_disk(monkeypatch):
    real = Store.cursor
    monkeypatch.setattr(Store, "cursor", lambda self: _FullDisk(real(self)))


def test_a_full_disk_at_commit_says_the_disk_is_full_and_stores_nothing(store, full_disk):
    with pytest.raises(StoreError) as refused:
        ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    assert not isinstance(refused.value, IngestError)
    assert str(refused.value) == (f"cannot store demo_scan.json: the disk holding the database {store.path} is full "
                                  f"(No space left on device); nothing was stored: free some space and store it again")
    assert store.query_value("SELECT count(*) FROM scans") == 0


def test_a_full_disk_keeps_a_queued_scan_queued_for_the_next_page_load(store, full_disk):
    queued = queue_scan(store.path, load_scan(SAMPLE_BYTES), "demo_scan.json")
    [outcome] = ingest_inbox(store)
    assert outcome.kept and "is full" in outcome.error and queued.exists()
    assert outcome.report(queued.parent).startswith(f"queued scan {queued.name} stays in {queued.parent} for the "
                                                    f"next page load: cannot store")


def test_the_cli_says_the_disk_is_full_with_exit_2(tmp_path, capsys, full_disk):
    code, _, err = run(["--db", str(tmp_path / "m.duckdb"), "ingest-scan", str(PROJECT / "data" / "samples" /
                                                                              "demo_scan.json")], capsys)
    assert code == 2 and err.count("\n") == 1 and "is full (No space left on device)" in err


# -- arbitrary hostile edits -------------------------------------------------------------------------------

_TEXT_EDITS = [  # (pattern, replacement) applied once at a drawn occurrence of the sample's text
    (r'"line": \d+', '"line": NaN'), (r'"line": \d+', '"line": Infinity'), (r'"line": \d+', '"line": -Infinity'),
    (r'"line": \d+', '"line": 1e999'), (r'"line": \d+', '"line": ' + "7" * 4400),
    (r'"line": \d+', f'"line": {2 ** 63}'), (r'"line": \d+', f'"line": -{2 ** 63}'),
    (r'"message": "', r'"message": "\ud800'), (r'"message": "', r'"message": "\udfff\ud800'),
    (r'"kind": "[a-z_]+"', '"kind": "rootkit"'), (r'"kind": "[a-z_]+"', '"kind": "fixed_threshold", "kind": "x"'),
    (r'"target": "file:', '"target": "file:ghost/'), (r'"lines": \d+', '"lines": -1'),
    (r'"bytes": \d+', '"bytes": -2'), (r'"schema_version": \d+, ', ''), (r'"findings": \[', '"findings": [], "x": ['),
]


@st.composite
def _hostile_scans(draw) -> bytes:
    """The sample with one hostile edit at one drawn place (or several edits, or a trailing duplicate key)."""
    text = json.dumps(json.loads(SAMPLE_BYTES))
    for _ in range(draw(st.integers(1, 3))):
        pattern, replacement = draw(st.sampled_from(_TEXT_EDITS))
        places = list(re.finditer(pattern, text))
        if places:
            place = places[draw(st.integers(0, len(places) - 1))]
            text = text[:place.start()] + replacement + text[place.end():]
    if draw(st.booleans()):
        text = text[:-1] + ', "findings": []}'
    return text.encode()


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("hostile") / "hostile.duckdb") as opened:
        yield opened


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=_hostile_scans())
def test_hostile_edits_are_stored_whole_or_refused_with_the_user_error(shared_store, data):
    assert_stored_whole_or_refused(shared_store, data)
