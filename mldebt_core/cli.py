"""The `mldebt` command line: a thin shell over core functions.

Imports stay lazy so that `mldebt --help` and `mldebt scan` start fast in CI (no
pandas, plotly, streamlit or scikit-learn). User errors exit 2 with one line on
stderr; `--debug` re-raises them with the traceback instead.
"""

import argparse
import os
import sys
import tempfile
from enum import IntEnum
from importlib import import_module
from pathlib import Path

from mldebt_core import __version__
from mldebt_core.commands.common import ProgressBar
from mldebt_core.errors import MldebtError
from mldebt_core.taxonomy import Severity

# A source checkout (editable install) keeps the dashboard beside the package: <root>/app.py, <root>/pages/.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PORT = 8501
COMMAND_GROUPS: tuple[str, ...] = ("mldebt_core.commands.logs", "mldebt_core.commands.monitoring",
                                   "mldebt_core.commands.limits", "mldebt_core.commands.feedback",
                                   "mldebt_core.commands.ablation")
"""modules of mldebt_core.commands, each adding its subcommands (see that package), in the order --help lists
them: logs in, what they show (drift, bias, limits, producers, feedback loops), then feature ablation"""


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # --fail-on threshold reached
    USAGE = 2  # bad arguments, paths or input


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, not argparse's usage block
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mldebt", description="Find and track hidden technical debt in ML systems "
                                                "(Sculley et al., NeurIPS 2015).")
    parser.add_argument("--version", action="version", version=f"mldebt {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("--db", metavar="PATH",
                        help="the DuckDB database file (default: $MLDEBT_DB, else "
                             "$XDG_DATA_HOME/mldebt/mldebt.duckdb, XDG_DATA_HOME defaulting to ~/.local/share)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = commands.add_parser(
        "scan", help="statically analyse a repository and write a scan JSON",
        description="Statically analyse the repository at PATH (reads files as text, never imports or runs "
                    "them) and write one scan JSON document.")
    scan.add_argument("path", metavar="PATH", help="root folder of the repository to scan")
    scan.add_argument("-o", "--output", default="-", metavar="FILE",
                      help="where to write the result; '-' (default) is standard output")
    scan.add_argument("--system", metavar="NAME", help="system name recorded in the scan (default: PATH's folder name)")
    scan.add_argument("--format", choices=["json", "summary"], default="json",
                      help="json: the scan document (default); summary: a table of findings by kind")
    scan.add_argument("--fail-on", choices=[s.value for s in Severity], metavar="SEVERITY",
                      help="exit 1 when a finding of this severity or higher exists (low, medium, high, critical)")
    scan.add_argument("-q", "--quiet", action="store_true", help="no progress bar or closing line on stderr")
    scan.add_argument("--ingest", action="store_true", help="also store the scan in the database (see --db)")
    scan.set_defaults(run=_scan)

    ingest = commands.add_parser(
        "ingest-scan", help="store a scan JSON in the database",
        description="Validate a scan JSON and store it in the database (see --db). Storing the same scan again "
                    "changes nothing. When another process (the dashboard) holds the database, the scan is "
                    "queued beside it and the dashboard stores it on its next page load.")
    ingest.add_argument("file", metavar="FILE", help="the scan JSON written by `mldebt scan`; '-' reads standard input")
    ingest.add_argument("--system", metavar="NAME", help="store it under this system (default: the scan's repo.name)")
    ingest.set_defaults(run=_ingest_scan)

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

    schema = commands.add_parser("schema", help="print the JSON Schema of the scan document",
                                 description="Print the JSON Schema of the scan document, generated from its models.")
    schema.set_defaults(run=_schema)

    for group in COMMAND_GROUPS:
        import_module(group).add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        return args.run(args)
    except MldebtError as error:
        if args.debug:
            raise
        print(f"mldebt: error: {error}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("mldebt: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (`mldebt drift … | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit-time flush stays quiet
        return ExitCode.OK


def _scan(args) -> int:
    from mldebt_core.scan import scan_repository
    from mldebt_core.scan.report import summary_text

    root = Path(args.path)
    if not root.is_dir():
        raise MldebtError(f"{args.path}: no such directory; PATH must be the root folder of a repository")
    if args.output != "-":
        _check_writable(Path(args.output))
    show_progress = not args.quiet and sys.stderr.isatty()
    with ProgressBar(show_progress, "file", "scanning") as progress:
        document = scan_repository(root, system=args.system, progress=progress)
    text = (document.model_dump_json(indent=1) + "\n" if args.format == "json" else summary_text(document))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        _write_atomically(Path(args.output), text)
        if not args.quiet:
            counts = document.summary
            print(f"mldebt: wrote {args.output}: {counts.files} files, {len(document.findings)} findings, "
                  f"{counts.skipped} skipped", file=sys.stderr)
    if args.ingest:
        _store_document(args, document, args.output if args.output != "-" else f"the scan of {args.path}")
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        if any(Severity(f.severity).rank >= threshold for f in document.findings):
            return ExitCode.FINDINGS
    return ExitCode.OK


def _schema(args) -> int:
    import json

    from mldebt_core.scan.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")
    return ExitCode.OK


def _ingest_scan(args) -> int:
    from mldebt_core.settings import DEFAULT_STORE_SETTINGS
    from mldebt_core.store.ingest import parse_scan

    source = "<stdin>" if args.file == "-" else args.file
    data = _read_input(args.file, DEFAULT_STORE_SETTINGS.max_scan_bytes)
    _store_document(args, parse_scan(data, source), source, args.system)
    return ExitCode.OK


def _store_document(args, document, source: str, system: str | None = None) -> None:
    """Store a validated scan; queue it in the inbox when another process holds the database."""
    from mldebt_core.store import (
        DatabaseLockedError,
        Store,
        default_db_path,
        inbox_path,
        ingest_document,
        ingest_inbox,
        queue_scan,
    )

    db = Path(args.db).expanduser() if args.db else default_db_path()
    try:
        store = Store(db)
    except DatabaseLockedError as locked:
        queued = queue_scan(db, document, source, system)
        holder = f" (PID {locked.pid})" if locked.pid is not None else ""
        print(f"mldebt: the database {db} is open in another mldebt process{holder}; queued {source} in "
              f"{queued.parent}; the dashboard stores it on its next page load", file=sys.stderr)
        return
    with store:
        earlier = ingest_inbox(store)  # scans queued while another process held the database, oldest first
        result = ingest_document(store, document, source, system)
    if result.created:
        print(f"mldebt: stored {source} as scan {result.scan_id} of system {result.system} in {db}", file=sys.stderr)
    else:
        print(f"mldebt: {source} is already stored as scan {result.scan_id} of system {result.system} in {db}; "
              f"nothing added", file=sys.stderr)
    stored = sum(outcome.result is not None for outcome in earlier)
    if earlier:
        print(f"mldebt: also stored {stored} queued scan(s) from {inbox_path(db)}, rejected {len(earlier) - stored}",
              file=sys.stderr)


def _app(args) -> int:
    import subprocess

    if not 0 < args.port < 65536:
        raise MldebtError(f"--port {args.port}: a port is a number from 1 to 65535")
    script = app_script()
    db = (Path(args.db).expanduser() if args.db else _default_db()).resolve()
    loaded = prepare_database(db, load_sample=not args.no_sample)
    if loaded:
        print(f"mldebt: loaded the sample system {loaded} into {db}", file=sys.stderr)
    print(f"mldebt: serving the dashboard of {db} on http://localhost:{args.port} (Ctrl-C stops it)",
          file=sys.stderr)
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
        print("mldebt: dashboard stopped", file=sys.stderr)
        return ExitCode.OK


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
            print(f"mldebt: warning: no sample scan at {sample}; the dashboard starts empty", file=sys.stderr)
            return None
        return load(store, sample)


def _default_db() -> Path:
    from mldebt_core.store import default_db_path

    return default_db_path()


def _read_input(name: str, limit: int) -> bytes:
    """Up to limit + 1 bytes of FILE or standard input ('-'): enough to tell an oversized scan, never all of it."""
    if name == "-":
        return sys.stdin.buffer.read(limit + 1)
    path = Path(name)
    if path.is_dir():
        raise MldebtError(f"{name}: is a directory; FILE must be a scan JSON")
    try:
        with open(path, "rb") as stream:
            return stream.read(limit + 1)
    except FileNotFoundError:
        raise MldebtError(f"{name}: no such file") from None
    except OSError as error:
        raise MldebtError(f"{name}: cannot read ({error.strerror})") from None


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise MldebtError(f"{path}: is a directory; -o needs a file name")
    if not folder.is_dir():
        raise MldebtError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise MldebtError(f"{path}: not writable")


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written output.

    Devices and pipes (`-o /dev/null`, a FIFO) are written in place: renaming over them would
    replace the device with a regular file.
    """
    try:
        if path.exists() and not path.is_file():
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            return
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or ".", delete=False,
                                             prefix=f".{path.name}.", suffix=".tmp")
        with handle:
            handle.write(text)
        os.chmod(handle.name, path.stat().st_mode if path.exists() else 0o666 & ~_umask())
        os.replace(handle.name, path)
    except OSError as error:
        raise MldebtError(f"{path}: cannot write ({error.strerror})") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


if __name__ == "__main__":
    sys.exit(main())
