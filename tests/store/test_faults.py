"""Faults: a process killed (SIGKILL) in the middle of an ingest, and ingests running at once. Whatever the moment,
the database holds each scan or log file whole or not at all, and opens afterwards."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from mldebt_core.store import Store, ingest_scan
from tests.conftest import PROJECT
from tests.store_helpers import SAMPLE, as_bytes

pytestmark = pytest.mark.slow

SCAN_INGEST = textwrap.dedent("""
    import sys
    sys.path[:0] = [{project!r}, {bench!r}]
    import json
    from ingest_bench import synthetic_scan
    from mldebt_core.store import Store, ingest_scan
    data = json.dumps(synthetic_scan()).encode()
    with Store(sys.argv[1]) as store:
        print("ingesting", flush=True)
        ingest_scan(store, data, "big.json")
        print("done", flush=True)
""").format(project=str(PROJECT), bench=str(PROJECT / "bench"))

LOG_INGEST = textwrap.dedent("""
    import sys
    sys.path[:0] = [{project!r}]
    from mldebt_core.logs.ingest import ingest_logs
    from mldebt_core.store import Store
    with Store(sys.argv[1]) as store:
        print("ingesting", flush=True)
        ingest_logs(store, "churn", [sys.argv[2]])
        print("done", flush=True)
""").format(project=str(PROJECT))


def killed_after(script: str, args: list[str], delay: float) -> bool:
    """Run `script` with `args`, SIGKILL it `delay` seconds after it starts ingesting; True when it finished
    first."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ingesting"
    time.sleep(delay)
    finished = process.poll() is not None
    if not finished:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return finished


@pytest.mark.parametrize("delay", [0.05, 0.3, 1.0])
def test_a_scan_ingest_killed_at_any_moment_leaves_the_scan_whole_or_absent(tmp_path, delay):
    db = tmp_path / "killed.duckdb"
    Store(db).close()  # migrated before, so the kill can only hit the ingest
    killed_after(SCAN_INGEST, [str(db)], delay)
    with Store(db) as store:
        scans = store.query_value("SELECT count(*) FROM scans")
        modules = store.query_value("SELECT count(*) FROM modules")
        findings = store.query_value("SELECT count(*) FROM findings")
        assert (scans, modules, findings) in [(0, 0, 0), (1, 5_000, 1_000)]
        assert ingest_scan(store, as_bytes(SAMPLE), "after.json").created  # the file still takes writes


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "predictions.csv"
    with open(path, "w") as out:
        out.write("timestamp,model,prediction,label,age\n")
        for i in range(600_000):
            out.write(f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,m,{(i % 100) / 100},{i % 2},{i % 90}\n")
    return path


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5])
def test_a_log_ingest_killed_at_any_moment_leaves_the_file_whole_or_absent(tmp_path, big_log, delay):
    db = tmp_path / "killed.duckdb"
    Store(db).close()
    killed_after(LOG_INGEST, [str(db), str(big_log)], delay)
    with Store(db) as store:
        files = store.query("SELECT row_count FROM log_files")
        table = store.query_value("SELECT table_name FROM prediction_logs WHERE system = 'churn'")
        rows = store.query_value(f"SELECT count(*) FROM {table}") if table else 0
        assert (files, rows) in [([], 0), ([(600_000,)], 600_000)]


def test_scans_ingested_at_once_from_several_threads_are_all_stored_whole(store):
    documents = []
    for n in range(4):
        document = json.loads(json.dumps(SAMPLE))
        document["repo"].update(name=f"system-{n}", commit=f"{n:040x}")
        documents.append(as_bytes(document))
    errors = []

    def ingest(data: bytes) -> None:
        try:
            ingest_scan(store, data, "scan.json")
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=ingest, args=(data,)) for data in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.query("SELECT system, count(*) FROM scans GROUP BY ALL ORDER BY 1") == [
        (f"system-{n}", 1) for n in range(4)]
    assert store.query_value("SELECT count(DISTINCT scan_id) FROM findings") == 4
    assert store.query_value("SELECT count(*) FROM findings") == 4 * len(SAMPLE["findings"])
