"""The `mldebt` command line: output, exit codes, one-line errors and a light import footprint."""

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from mldebt_core.cli import main
from mldebt_core.scan.schema import SCHEMA_VERSION, ScanDocument
from mldebt_core.store import Store, queries
from tests.conftest import run

TRAIN = """\
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
df = pd.read_csv("data/predictions.csv")
model = LogisticRegression()
model.fit(df[["x"]], df["y"])
joblib.dump(model, "models/m.joblib")
"""
SCORE = """\
import joblib
import pandas as pd
model = joblib.load("models/m.joblib")
df = pd.read_csv("data/input_v1.csv")
df["pred"] = model.predict(df[["x"]])
df.to_csv("data/predictions.csv")
"""
HEAVY = ("streamlit", "plotly", "pandas", "sklearn", "duckdb", "pyarrow")


@pytest.fixture
def loop_repo(make_repo):
    """train.py learns from the predictions score.py writes with train.py's model: a direct feedback loop."""
    return make_repo({"train.py": TRAIN, "score.py": SCORE})


@pytest.fixture
def clean_repo(tmp_path):
    repo = tmp_path / "clean"
    repo.mkdir()
    (repo / "util.py").write_text('__all__ = ["add"]\n\n\ndef add(a, b):\n    return a + b\n')
    return repo


def test_scan_to_stdout_is_one_valid_scan_document(loop_repo, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    code, out, err = run(["scan", str(loop_repo), "-o", "-", "--system", "churn"], capsys)
    assert (code, err) == (0, "")
    document = ScanDocument.model_validate_json(out)
    assert (document.repo.name, document.repo.scanned_at) == ("churn", "2023-11-14T22:13:20Z")
    assert [f.kind for f in document.findings if f.severity == "high"] == ["direct_feedback_loop", "monitoring_gap"]
    assert run(["scan", str(loop_repo), "--system", "churn"], capsys)[1] == out  # same input, same bytes


def test_scan_to_a_file_writes_it_readable_and_says_so_once(loop_repo, tmp_path, capsys):
    target = tmp_path / "out" / "scan.json"
    target.parent.mkdir()
    code, out, err = run(["scan", str(loop_repo), "-o", str(target)], capsys)
    assert (code, out) == (0, "")
    assert err.count("\n") == 1 and err.startswith(f"mldebt: wrote {target}: 2 files, ")
    assert json.loads(target.read_text())["summary"]["files"] == 2
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not a temporary file's 0600
    assert [p.name for p in target.parent.iterdir()] == ["scan.json"]  # no temporary file left behind
    assert run(["scan", str(loop_repo), "-o", str(target), "-q"], capsys) == (0, "", "")


def test_summary_format_prints_a_table_of_findings(loop_repo, capsys):
    code, out, err = run(["scan", str(loop_repo), "--format", "summary", "-q"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"mldebt scan of {loop_repo.name} (no git commit): 2 files, ")
    header = lines.index(next(line for line in lines if line.startswith("kind")))
    assert lines[header].split() == ["kind", "§", "worst", "count"]
    assert lines[header + 1].split() == ["direct_feedback_loop", "4", "high", "1"]
    assert any(line.startswith("high") and "train.py:4" in line for line in lines)


def test_summary_of_a_clean_repository(clean_repo, capsys):
    code, out, _ = run(["scan", str(clean_repo), "--format", "summary"], capsys)
    assert code == 0 and out.rstrip().endswith("No findings.")


@pytest.mark.parametrize(("threshold", "expected"), [("low", 1), ("medium", 1), ("high", 1), ("critical", 0)])
def test_fail_on_exits_1_when_a_finding_reaches_the_threshold(loop_repo, capsys, threshold, expected):
    code, out, _ = run(["scan", str(loop_repo), "--fail-on", threshold, "-q"], capsys)
    assert code == expected
    json.loads(out)  # the document is written whatever the verdict


def test_fail_on_high_passes_without_high_findings(clean_repo, capsys):
    assert run(["scan", str(clean_repo), "--fail-on", "high", "-q"], capsys)[0] == 0


@pytest.mark.parametrize("case", ["missing path", "path is a file", "output folder missing", "output is a folder",
                                  "unknown option", "bad severity"])
def test_user_errors_exit_2_with_one_line_and_no_traceback(tmp_path, clean_repo, capsys, case):
    (tmp_path / "file.txt").write_text("x")
    argv = {
        "missing path": ["scan", str(tmp_path / "nope")],
        "path is a file": ["scan", str(tmp_path / "file.txt")],
        "output folder missing": ["scan", str(clean_repo), "-o", str(tmp_path / "no" / "such" / "out.json")],
        "output is a folder": ["scan", str(clean_repo), "-o", str(tmp_path)],
        "unknown option": ["scan", str(clean_repo), "--bogus"],
        "bad severity": ["scan", str(clean_repo), "--fail-on", "urgent"],
    }[case]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(("mldebt: error: ", "mldebt scan: error: "))
    assert "Traceback" not in err
    assert not (tmp_path / "no").exists()


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, _ = run([], capsys)
    assert code == 2 and "scan" in out and out.startswith("usage: mldebt")


def test_schema_command_prints_the_json_schema(capsys):
    code, out, _ = run(["schema"], capsys)
    assert code == 0 and json.loads(out)["$id"] == f"urn:mldebt:scan:v{SCHEMA_VERSION}"


# -- as a real process -----------------------------------------------------------------------------------

def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mldebt_core.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_subprocess_scan_writes_json_and_fails_on_high(loop_repo):
    done = cli("scan", str(loop_repo), "-o", "-", "--fail-on", "high")
    assert (done.returncode, done.stderr) == (1, "")
    assert json.loads(done.stdout)["summary"]["findings_by_severity"]["high"] == 2  # the loop, unmonitored predictions


def test_subprocess_user_error_is_one_line(tmp_path):
    done = cli("scan", str(tmp_path / "missing"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    unknown = cli("scan", str(tmp_path), "--what")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "Traceback" not in unknown.stderr


@pytest.mark.parametrize("argv", [["--help"], ["scan", "REPO", "-q", "-o", "OUT"]], ids=["help", "scan"])
def test_cli_does_not_import_heavy_packages(loop_repo, tmp_path, argv):
    argv = [str(loop_repo) if a == "REPO" else str(tmp_path / "scan.json") if a == "OUT" else a for a in argv]
    code = (f"import sys, mldebt_core.cli as c\n"
            f"try:\n    c.main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_output_to_a_pipe_writes_through_it_and_leaves_it_a_pipe(tmp_path):
    """`-o /dev/null` or a FIFO must never be replaced by a regular file."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    assert main(["scan", str(repo), "-o", str(fifo), "-q"]) == 0
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["summary"]["files"] == 1


def test_one_project_of_a_monorepo_scan_is_stored_as_a_system(make_repo, tmp_path, capsys):
    repo = make_repo({"api/requirements.txt": "fastapi\n", "api/main.py": "import pandas as pd\npd.read_csv('x.csv')\n",
                      "batch/setup.py": "", "batch/job.py": "import pandas as pd\n"})
    scan, db = tmp_path / "mono.json", str(tmp_path / "m.duckdb")
    assert run(["scan", str(repo), "-o", str(scan), "-q"], capsys)[0] == 0
    code, _, err = run(["--db", db, "ingest-scan", str(scan), "--project", "api"], capsys)
    assert code == 0 and "of system api" in err
    with Store(db) as store:
        assert queries.list_systems(store) == ["api"]
        paths = [row[0] for row in store.query("SELECT path FROM files ORDER BY path")]
    assert paths == ["api/main.py", "api/requirements.txt"]
    code, out, err = run(["--db", db, "ingest-scan", str(scan), "--project", "nowhere"], capsys)
    assert (code, out) == (2, "") and err.startswith(f"mldebt: error: {scan}: --project: no project 'nowhere'")


# -- ingest-scan on odd inputs (issue 17) -----------------------------------------------------------------------

def test_ingest_scan_of_a_fifo_refuses_at_once_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "scan.json"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "mldebt_core.cli", "--db", str(tmp_path / "m.duckdb"),
                           "ingest-scan", str(fifo)], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"mldebt: error: {fifo}: not a regular file (a pipe, socket or device); FILE must be a "
                           f"scan JSON file ('-' reads standard input)\n")


def test_the_size_refusal_states_the_files_own_size_not_the_bytes_read(tmp_path, capsys):
    from mldebt_core.settings import DEFAULT_STORE_SETTINGS

    limit = DEFAULT_STORE_SETTINGS.max_scan_bytes
    big = tmp_path / "big.json"
    with open(big, "wb") as stream:
        stream.truncate(limit + 123_456)  # sparse: a large size, no data written
    code, _, err = run(["--db", str(tmp_path / "m.duckdb"), "ingest-scan", str(big)], capsys)
    assert code == 2
    assert err == (f"mldebt: error: {big}: {limit + 123_456:,} bytes is more than the {limit:,}-byte limit for a "
                   f"scan (setting StoreSettings.max_scan_bytes)\n")
