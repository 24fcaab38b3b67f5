"""`mldebt app`: serve the dashboard of a database, on this machine or (with --host and a token) to a team,
loading the sample into an empty one."""

import os
import subprocess
import sys
from pathlib import Path

from mldebt_core import serving
from mldebt_core.commands.common import database_path, tell
from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_SERVING_SETTINGS

# A source checkout (editable install) keeps the dashboard beside the package: <root>/app.py, serve.py, pages/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8501
DEFAULT_HOST = "127.0.0.1"


def add_commands(commands) -> None:
    app = commands.add_parser(
        "app", help="serve the dashboard on this machine (http://localhost:8501)",
        description="Serve the Streamlit dashboard on 127.0.0.1 (see --db for the database it shows). "
                    "When the database holds no system yet, the bundled sample system is loaded first. "
                    "The server answers only to its own address and localhost (other Host headers get 403); "
                    "served on another address it also requires an access token, taken from the environment "
                    f"variable {serving.TOKEN_ENV} or generated, and printed once in the address to open. "
                    "Ctrl-C stops the server.")
    app.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                     help=f"the port to serve on (default: {DEFAULT_PORT})")
    app.add_argument("--host", default=DEFAULT_HOST, metavar="ADDRESS",
                     help=f"the address or host name to serve on, as your team opens it (default: {DEFAULT_HOST}, "
                          "this machine only); any other than localhost requires the access token")
    app.add_argument("--no-sample", action="store_true",
                     help="do not load the sample system into an empty database")
    app.set_defaults(run=_app)


def _app(args) -> int:
    if not 0 < args.port < 65536:
        raise MldebtError(f"--port {args.port}: a port is a number from 1 to 65535")
    host = serving.check_address(args.host)
    token = serving.access_token(host, os.environ.get(serving.TOKEN_ENV))
    script = app_script()
    db = database_path(args).resolve()
    loaded = prepare_database(db, load_sample=not args.no_sample)
    if loaded:
        tell(f"loaded the sample system {loaded} into {db}")
    tell(f"serving the dashboard of {db} on {serving.access_url(host, args.port, token)} (Ctrl-C stops it)")
    # cwd: Streamlit reads .streamlit/config.toml from the working folder.
    server = subprocess.Popen(streamlit_command(script, args.port, host), cwd=script.parent,
                              env=server_environment(os.environ, db, host, token))
    try:
        return server.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to the server too: let it shut down
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait()
        tell("dashboard stopped")
        return 0


def app_script(root: Path | None = None) -> Path:
    """The dashboard's server script (serve.py: app.py behind the Host and token check), which a source
    checkout keeps beside the mldebt_core package."""
    root = PROJECT_ROOT if root is None else root
    script = root / "serve.py"
    if not (script.is_file() and (root / "app.py").is_file() and (root / "pages").is_dir()):
        raise MldebtError(f"{root / 'app.py'}: the dashboard (app.py, serve.py, pages/) is not there; `mldebt app` "
                          f"needs a source checkout installed with `pip install -e .`")
    return script


def streamlit_command(script: Path, port: int, host: str = DEFAULT_HOST) -> list[str]:
    # Streamlit's own WebSocket Host check (server.allowedHosts) repeats the Guard's for the data channel.
    hosts = dict.fromkeys((*DEFAULT_SERVING_SETTINGS.local_hosts, host))
    return [sys.executable, "-m", "streamlit", "run", str(script), f"--server.address={host}",
            f"--server.port={port}", "--browser.gatherUsageStats=false",
            *(f"--server.allowedHosts={name}" for name in hosts)]


def server_environment(environ, db: Path, host: str, token: str | None) -> dict[str, str]:
    """The server's environment: the database, the address it answers to and the token it requires (none
    left over from the caller's environment when serving without one)."""
    env = {**environ, "MLDEBT_DB": str(db), serving.HOST_ENV: host}
    env.pop(serving.TOKEN_ENV, None)
    return env | ({serving.TOKEN_ENV: token} if token else {})


def prepare_database(db: Path, load_sample: bool = True, sample: Path | None = None) -> str | None:
    """Open (create, migrate) the database; when it holds no system, load the sample (its scan and prediction
    log, see mldebt_core.samples) unless told not to.

    Returns the sample's system name when it was loaded, else None. Fails with one sentence when
    another process holds the database, e.g. a dashboard already serving it.
    """
    from mldebt_core.samples import SAMPLE_SCAN
    from mldebt_core.samples import load_sample as load
    from mldebt_core.store import Store, queries

    sample = SAMPLE_SCAN if sample is None else sample
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        if not load_sample or queries.list_systems(store):
            return None
        if not sample.is_file():
            tell(f"warning: no sample scan at {sample}; the dashboard starts empty")
            return None
        return load(store, sample)
