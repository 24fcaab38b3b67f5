"""`mldebt ingest-scan`, `mldebt scan --ingest`, `--db`/MLDEBT_DB, and the hand-over to a process holding the file."""

import re
import subprocess
import sys

import pytest

from mldebt_core.store import Store, inbox_path, ingest_inbox, queries
from tests.conftest import DEMO_SCAN, run
from tests.store_helpers import SAMPLE


def scans_in(db) -> list[tuple]:
    with Store(db) as store:
        return store.query("SELECT id, system, source_name FROM scans ORDER BY id")


def test_ingest_scan_stores_then_says_nothing_added(tmp_path, capsys):
    db = tmp_path / "m.duckdb"
    code, out, err = run(["--db", str(db), "ingest-scan", str(DEMO_SCAN)], capsys)
    assert (code, out) == (0, "")
    assert err == f"mldebt: stored {DEMO_SCAN} as scan 1 of system {SAMPLE['repo']['name']} in {db}\n"
    code, _, err = run(["--db", str(db), "ingest-scan", str(DEMO_SCAN)], capsys)
    assert code == 0 and err.endswith("; nothing added\n")
    assert run(["--db", str(db), "ingest-scan", str(DEMO_SCAN), "--system", "renamed"], capsys)[0] == 0
    assert [row[1] for row in scans_in(db)] == [SAMPLE["repo"]["name"], "renamed"]


def test_mldebt_db_environment_variable_is_the_default(tmp_path, capsys, monkeypatch):
    db = tmp_path / "sub" / "env.duckdb"
    monkeypatch.setenv("MLDEBT_DB", str(db))
    assert run(["ingest-scan", str(DEMO_SCAN)], capsys)[0] == 0
    assert len(scans_in(db)) == 1


@pytest.mark.parametrize("content, expected", [
    ('{"schema_version": 9}', "schema_version: unknown scan schema version 9"),
    ("{nope", "not valid JSON at line 1, column 2"),
    (None, "no such file"),
])
def test_bad_input_exits_2_with_one_line_and_stores_nothing(tmp_path, capsys, content, expected):
    db, scan = tmp_path / "m.duckdb", tmp_path / "bad.json"
    if content is not None:
        scan.write_text(content)
    code, out, err = run(["--db", str(db), "ingest-scan", str(scan)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"mldebt: error: {scan}: {expected}") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not db.exists() or scans_in(db) == []


def test_scan_with_ingest_stores_the_fresh_scan(make_repo, tmp_path, capsys):
    repo = make_repo({"train.py": "import pandas as pd\ndf = pd.read_csv('data/in.csv')\n"})
    db = tmp_path / "m.duckdb"
    code, out, err = run(["--db", str(db), "scan", str(repo), "-q", "--system", "tiny", "--ingest"], capsys)
    assert code == 0 and out.startswith("{")
    assert err == f"mldebt: stored the scan of {repo} as scan 1 of system tiny in {db}\n"
    with Store(db) as store:
        assert queries.list_systems(store) == ["tiny"]


HOLDER = """
import sys
from mldebt_core.store import Store
store = Store(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()  # hold the database until the test closes our stdin
store.close()
"""


@pytest.mark.slow
def test_while_another_process_holds_the_database_the_scan_is_queued_then_ingested(tmp_path):
    db = tmp_path / "m.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        done = subprocess.run([sys.executable, "-m", "mldebt_core.cli", "--db", str(db), "ingest-scan",
                               str(DEMO_SCAN), "--system", "queued"], capture_output=True, text=True, timeout=60)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    inbox = inbox_path(db)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == (f"mldebt: the database {db} is open in another mldebt process (PID {holder.pid}); queued "
                           f"{DEMO_SCAN} in {inbox}; the dashboard stores it on its next page load\n")
    queued = [p.name for p in inbox.iterdir()]
    assert len(queued) == 1 and re.fullmatch(r"\d{20}-\d+-demo_scan\.json", queued[0])
    with Store(db) as store:
        outcomes = ingest_inbox(store)
        assert [o.result.system for o in outcomes] == ["queued"]
        assert queries.list_systems(store) == ["queued"]
    assert list(inbox.iterdir()) == []


def test_the_cli_also_stores_scans_queued_earlier(tmp_path, capsys):
    db = tmp_path / "m.duckdb"
    from mldebt_core.scan.schema import load_scan
    from mldebt_core.store import queue_scan

    queue_scan(db, load_scan(DEMO_SCAN.read_bytes()), "earlier.json", system="earlier")
    code, _, err = run(["--db", str(db), "ingest-scan", str(DEMO_SCAN)], capsys)
    assert code == 0 and err.endswith(f"also stored 1 queued scan(s) from {db}.inbox, rejected 0\n")
    assert [row[1] for row in scans_in(db)] == ["earlier", SAMPLE["repo"]["name"]]


def test_the_cli_tells_each_queued_scan_it_refused_and_where_it_went(tmp_path, capsys):
    db = tmp_path / "m.duckdb"
    inbox = inbox_path(db)
    inbox.mkdir()
    (inbox / "00000000000000000001-7-hostile.json").write_text('{"schema_version": 4, "tool": {"name": "mldebt", '
                                                               '"version": "1"}, "tool": {}}')
    code, _, err = run(["--db", str(db), "ingest-scan", str(DEMO_SCAN)], capsys)
    assert code == 0
    assert err.splitlines()[-2:] == [
        f"mldebt: also stored 0 queued scan(s) from {inbox}, rejected 1",
        f"mldebt: queued scan 00000000000000000001-7-hostile.json was refused and moved to {inbox / 'rejected'}: "
        f"00000000000000000001-7-hostile.json: (top level): duplicate key 'tool' (a JSON object names each key once)"]
