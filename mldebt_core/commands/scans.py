"""`mldebt scan`, `mldebt ingest-scan` and `mldebt schema`: scan a repository, store a scan, the scan's schema."""

import os
import stat
import sys
import tempfile
from pathlib import Path

from mldebt_core.commands.common import ExitCode, database_path, progress_bar, tell
from mldebt_core.errors import MldebtError
from mldebt_core.taxonomy import KINDS, Severity
from mldebt_core.text_safety import terminal_text


def add_commands(commands) -> None:
    scan = commands.add_parser(
        "scan", help="statically analyse a repository and write a scan JSON",
        description="Statically analyse the repository at PATH (reads files as text, never imports or runs "
                    "them) and write one scan JSON document.")
    scan.add_argument("path", metavar="PATH", help="root folder of the repository to scan")
    scan.add_argument("-o", "--output", default="-", metavar="FILE",
                      help="where to write the result; '-' (default) is standard output")
    scan.add_argument("--system", metavar="NAME", help="system name recorded in the scan (default: PATH's folder name)")
    scan.add_argument("--format", choices=["json", "summary"], default="json",
                      help="json: the scan document (default); summary: a table of findings by kind and the worst "
                           "findings")
    scan.add_argument("--all", action="store_true",
                      help="with --format summary: list every finding (default: the worst 20)")
    scan.add_argument("--kind", action="append", choices=list(KINDS), metavar="KIND",
                      help="with --format summary: only findings of this kind (repeatable)")
    scan.add_argument("--min-severity", choices=[s.value for s in Severity], metavar="SEVERITY",
                      help="with --format summary: only findings of this severity or higher")
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
    ingest.add_argument("--system", metavar="NAME",
                        help="store it under this system (default: the scan's repo.name; with --project, the "
                             "project's name)")
    ingest.add_argument("--project", metavar="PATH",
                        help="store only this project of a monorepo's scan (its folder, as the scan's `projects` "
                             "list it), as a system of its own")
    ingest.set_defaults(run=_ingest_scan)

    schema = commands.add_parser("schema", help="print the JSON Schema of the scan document",
                                 description="Print the JSON Schema of the scan document, generated from its models.")
    schema.set_defaults(run=_schema)


def _scan(args) -> int:
    from mldebt_core.scan.report import DEFAULT_LIMIT, summary_text
    from mldebt_core.scan.runner import scan_repository

    root = Path(args.path)
    if not root.is_dir():
        raise MldebtError(f"{args.path}: no such directory; PATH must be the root folder of a repository")
    if args.output != "-":
        _check_writable(Path(args.output))
    with progress_bar(args, "file", "scanning") as progress:
        document = scan_repository(root, system=args.system, progress=progress)
    text = (document.model_dump_json(indent=1) + "\n" if args.format == "json" else  # JSON escapes controls
            terminal_text(summary_text(document, limit=None if args.all else DEFAULT_LIMIT, kinds=args.kind,
                                       min_severity=args.min_severity), newlines=True))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        _write_atomically(Path(args.output), text)
        if not args.quiet:
            counts = document.summary
            tell(f"wrote {args.output}: {counts.files} files, {len(document.findings)} findings, "
                 f"{counts.skipped} skipped")
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
    return 0


def _ingest_scan(args) -> int:
    from mldebt_core.settings import DEFAULT_STORE_SETTINGS
    from mldebt_core.store.ingest import parse_scan

    source = "<stdin>" if args.file == "-" else args.file
    data = _read_input(args.file, DEFAULT_STORE_SETTINGS.max_scan_bytes)
    document, system = parse_scan(data, source), args.system
    if args.project is not None:
        document, system = project_of(document, args.project, source), system or project_name(document, args.project)
    _store_document(args, document, source, system)
    return 0


def project_of(document, project: str, source: str):
    """The scan of one project of a monorepo's scan (see scan.projects.project_scan), or one clear sentence."""
    from mldebt_core.scan.projects import project_scan

    try:
        return project_scan(document, project.strip("/") or ".")
    except ValueError as error:
        raise MldebtError(f"{source}: --project: {error}") from None


def project_name(document, project: str) -> str:
    return next((p.name for p in document.projects if p.path == project.strip("/")), document.repo.name)


def _store_document(args, document, source: str, system: str | None = None) -> None:
    """Store a validated scan; queue it in the inbox when another process holds the database."""
    from mldebt_core.store import DatabaseLockedError, Store, inbox_path, queue_scan
    from mldebt_core.usecases.scans import store_queued_scans, store_scan

    db = database_path(args)
    try:
        store = Store(db)
    except DatabaseLockedError as locked:
        queued = queue_scan(db, document, source, system)
        holder = f" (PID {locked.pid})" if locked.pid is not None else ""
        tell(f"the database {db} is open in another mldebt process{holder}; queued {source} in {queued.parent}; "
             f"the dashboard stores it on its next page load")
        return
    with store:
        earlier = store_queued_scans(store)  # queued while another process held the database, oldest first
        result = store_scan(store, document, source, system)
    if result.created:
        tell(f"stored {source} as scan {result.scan_id} of system {result.system} in {db}")
    else:
        tell(f"{source} is already stored as scan {result.scan_id} of system {result.system} in {db}; nothing added")
    stored = sum(outcome.result is not None for outcome in earlier)
    if earlier:
        tell(f"also stored {stored} queued scan(s) from {inbox_path(db)}, rejected {len(earlier) - stored}")
    for outcome in earlier:
        if (refusal := outcome.report(inbox_path(db))) is not None:
            tell(refusal)


def _read_input(name: str, limit: int) -> bytes:
    """FILE, refused at once when it is not a regular file (a FIFO would block the read forever) or larger than
    `limit` (its own size, from stat); or up to limit + 1 bytes of standard input ('-'), enough to tell."""
    from mldebt_core.store.ingest import too_large

    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise too_large("<stdin>", None, limit)
        return data
    try:  # non-blocking: opening a FIFO with no writer would wait for one
        descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise MldebtError(f"{name}: no such file") from None
    except OSError as error:
        raise MldebtError(f"{name}: cannot read ({error.strerror})") from None
    with open(descriptor, "rb") as stream:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise MldebtError(f"{name}: is a directory; FILE must be a scan JSON")
        if not stat.S_ISREG(status.st_mode):
            raise MldebtError(f"{name}: not a regular file (a pipe, socket or device); FILE must be a scan JSON "
                              f"file ('-' reads standard input)")
        if status.st_size > limit:
            raise too_large(name, status.st_size, limit)
        try:
            return stream.read(limit + 1)
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
