"""`mldebt app`: the help text, the sample load into an empty database, a missing dashboard, the address and
the access token handed to the server, the shipped Streamlit config, Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from mldebt_core.cli import main
from mldebt_core.commands import app as app_command
from mldebt_core.commands.app import prepare_database, server_environment, streamlit_command
from mldebt_core.settings import DEFAULT_SERVING_SETTINGS
from mldebt_core.store import Store, queries

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_help_names_port_and_no_sample(capsys):
    with pytest.raises(SystemExit) as done:
        main(["app", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "--port N" in text and "--no-sample" in text and "8501" in text
    assert "--host ADDRESS" in text and "127.0.0.1" in text and "MLDEBT_TOKEN" in text


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
    command = streamlit_command(tmp_path / "serve.py", 8600)
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(tmp_path / "serve.py")]
    assert {"--server.address=127.0.0.1", "--server.port=8600", "--browser.gatherUsageStats=false"} <= set(command)
    assert [c for c in command if c.startswith("--server.allowedHosts=")] == [
        "--server.allowedHosts=localhost", "--server.allowedHosts=127.0.0.1", "--server.allowedHosts=::1"]


def test_streamlit_command_for_a_team_address_allows_that_host(tmp_path):
    command = streamlit_command(tmp_path / "serve.py", 8600, "10.1.2.3")
    assert "--server.address=10.1.2.3" in command and command[-1] == "--server.allowedHosts=10.1.2.3"


def test_the_server_gets_the_token_and_no_stale_one(tmp_path):
    caller = {"PATH": "/bin", "MLDEBT_TOKEN": "left-over-from-the-shell"}
    env = server_environment(caller, tmp_path / "d.duckdb", "127.0.0.1", None)
    assert "MLDEBT_TOKEN" not in env and env["MLDEBT_HOST"] == "127.0.0.1" and env["PATH"] == "/bin"
    assert env["MLDEBT_DB"] == str(tmp_path / "d.duckdb")
    assert server_environment(caller, tmp_path / "d.duckdb", "10.1.2.3", "t" * 20)["MLDEBT_TOKEN"] == "t" * 20
    assert caller["MLDEBT_TOKEN"] == "left-over-from-the-shell"  # the caller's environment is left alone


@pytest.mark.parametrize("host", ["0.0.0.0", "http://box", "box:8501"])
def test_bad_host_is_a_one_line_usage_error_before_the_database(tmp_path, host, capsys):
    db = tmp_path / "x.duckdb"
    assert main(["--db", str(db), "app", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--host" in err and not db.exists()


def test_weak_token_is_a_one_line_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLDEBT_TOKEN", "1234")
    db = tmp_path / "x.duckdb"
    assert main(["--db", str(db), "app", "--host", "10.1.2.3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MLDEBT_TOKEN" in err and "1234" not in err and not db.exists()


def test_shipped_config_binds_this_machine_and_checks_the_host():
    """`streamlit run app.py` by hand reads this file: no other interface, no DNS-rebinding WebSocket."""
    server = tomllib.loads(CONFIG.read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert tuple(server["allowedHosts"]) == DEFAULT_SERVING_SETTINGS.local_hosts
    assert server.get("enableCORS", True) and server.get("enableXsrfProtection", True)


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
