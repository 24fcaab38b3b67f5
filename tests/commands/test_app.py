"""`mldebt app`: the help text, the sample load into an empty database, a missing dashboard, Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from mldebt_core.cli import main
from mldebt_core.commands import app as app_command
from mldebt_core.commands.app import prepare_database, streamlit_command
from mldebt_core.store import Store, queries


def test_help_names_port_and_no_sample(capsys):
    with pytest.raises(SystemExit) as done:
        main(["app", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "--port N" in text and "--no-sample" in text and "8501" in text


def test_top_level_help_lists_app(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "serve the dashboard" in capsys.readouterr().out


def test_sample_is_loaded_into_an_empty_database_once(tmp_path):
    db = tmp_path / "sub" / "mldebt.duckdb"  # the folder does not exist yet
    assert prepare_database(db) == "churn-system"
    assert prepare_database(db) is None  # a system exists: nothing loaded again
    with Store(db) as store:
        assert queries.list_systems(store) == ["churn-system"]
        assert len(queries.list_scans(store, "churn-system")) == 1


def test_no_sample_leaves_the_database_empty(tmp_path):
    db = tmp_path / "mldebt.duckdb"
    assert prepare_database(db, load_sample=False) is None
    with Store(db) as store:
        assert queries.list_systems(store) == []


def test_missing_sample_warns_and_starts_empty(tmp_path, capsys):
    assert prepare_database(tmp_path / "m.duckdb", sample=tmp_path / "none.json") is None
    assert "no sample scan" in capsys.readouterr().err


def test_missing_dashboard_is_a_one_line_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(app_command, "PROJECT_ROOT", tmp_path)  # as if installed without the source checkout
    db = tmp_path / "mldebt.duckdb"
    assert main(["--db", str(db), "app"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "app.py" in err and "pip install -e ." in err
    assert not db.exists()  # checked before touching the database


@pytest.mark.parametrize("port", ["0", "70000"])
def test_bad_port_is_a_usage_error(tmp_path, port, capsys):
    assert main(["--db", str(tmp_path / "x.duckdb"), "app", "--port", port]) == 2
    assert "--port" in capsys.readouterr().err


def test_database_held_by_another_process_is_a_one_line_error(tmp_path, capsys):
    db = tmp_path / "held.duckdb"
    code = f"from mldebt_core.store import Store; s = Store({str(db)!r}); print('open', flush=True); input()"
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert main(["--db", str(db), "app"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is open in" in err
    finally:
        holder.communicate("\n", timeout=10)


def test_streamlit_command_is_local_and_quiet(tmp_path):
    command = streamlit_command(tmp_path / "app.py", 8600)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert {"--server.address=127.0.0.1", "--server.port=8600", "--browser.gatherUsageStats=false"} <= set(command)


@pytest.mark.slow
def test_app_serves_the_sample_and_stops_cleanly_on_ctrl_c(tmp_path):
    """The real thing: the server answers, then SIGINT (Ctrl-C) ends both processes with exit 0."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "served.duckdb"
    server = subprocess.Popen([sys.executable, "-m", "mldebt_core.cli", "--db", str(db), "app", "--port", str(port)],
                              start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "MLDEBT_DB": ""})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok"
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.communicate()
                time.sleep(0.1)
        os.killpg(server.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        out, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert server.returncode == 0, err
    assert "loaded the sample system churn-system" in err and "Traceback" not in err + out
    with Store(db) as store:  # the server let go of the file
        assert queries.list_systems(store) == ["churn-system"]
