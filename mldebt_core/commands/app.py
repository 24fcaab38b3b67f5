"""`mldebt app`: serve the dashboard of a database on this machine, loading the sample into an empty one."""

import os
import subprocess
import sys
from pathlib import Path

from mldebt_core.commands.common import database_path, tell
from mldebt_core.errors import MldebtError

# A source checkout (editable install) keeps the dashboard beside the package: <root>/app.py, <root>/pages/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8501


def add_commands(commands) -> None:
    app = commands.add_parser(
        "app", help="serve the dashboard on this machine (http://localhost:8501)",
        description="Serve the Streamlit dashboard on 127.0.0.1 (see --db for the database it shows). "
                    "When the database holds no system yet, the bundled sample system is loaded first. "
                    "Ctrl-C stops the server.")
    app.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                     help=f"the port to serve on (default: {DEFAULT_PORT})")
    app.add_argument("--no-sample", action="store_true",
                     help="do not load the sample system into an empty database")
    app.set_defaults(run=_app)


def _app(args) -> int:
    if not 0 < args.port < 65536:
        raise MldebtError(f"--port {args.port}: a port is a number from 1 to 65535")
    script = app_script()
    db = database_path(args).resolve()
    loaded = prepare_database(db, load_sample=not args.no_sample)
    if loaded:
        tell(f"loaded the sample system {loaded} into {db}")
    tell(f"serving the dashboard of {db} on http://localhost:{args.port} (Ctrl-C stops it)")
    # cwd: Streamlit reads .streamlit/config.toml from the working folder.
    server = subprocess.Popen(streamlit_command(script, args.port), cwd=script.parent,
                              env={**os.environ, "MLDEBT_DB": str(db)})
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
    """The dashboard's entry script, which a source checkout keeps beside the mldebt_core package."""
    root = PROJECT_ROOT if root is None else root
    script = root / "app.py"
    if not (script.is_file() and (root / "pages").is_dir()):
        raise MldebtError(f"{script}: the dashboard is not there; `mldebt app` needs a source checkout "
                          f"installed with `pip install -e .`")
    return script


def streamlit_command(script: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.address=127.0.0.1",
            f"--server.port={port}", "--browser.gatherUsageStats=false"]


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
