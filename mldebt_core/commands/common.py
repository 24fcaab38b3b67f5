"""What commands share: the options they have in common (declared once, as argparse parents), opening the store
named by --db, writing a table as JSON or CSV, the one progress bar, and how a run's recorded findings are told."""

import argparse
import sys
from enum import IntEnum
from pathlib import Path

from mldebt_core.errors import MldebtError
from mldebt_core.logs.windows import DEFAULT_WINDOW, WINDOWS
from mldebt_core.text_safety import csv_text, terminal_text

TABLE_FORMATS = ("json", "csv")


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # `scan --fail-on`: the threshold was reached
    USAGE = 2  # bad arguments, paths or input


def _parent(*arguments: tuple[tuple, dict]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    return parser


OPTIONS = {
    "system": _parent((("--system",), {"required": True, "metavar": "NAME",
                                       "help": "the system whose data the command reads"})),
    "model": _parent((("--model",), {"metavar": "M",
                                     "help": "only this model's rows (default: every model's rows together)"})),
    "window": _parent((("--window",), {"choices": WINDOWS, "default": DEFAULT_WINDOW,
                                       "help": f"window size (UTC, weeks from Monday; default: {DEFAULT_WINDOW})"})),
    "format": _parent((("--format",), {"choices": TABLE_FORMATS, "default": "json",
                                       "help": "json (default): one JSON object per result; csv: a table with a "
                                               "header row"})),
    "quiet": _parent((("-q", "--quiet"), {"action": "store_true", "help": "no progress bar or closing lines on "
                                                                         "stderr"})),
}
"""the options several commands share, each an argparse parent: `add_parser(..., parents=options("system"))`"""


def options(*names: str) -> list[argparse.ArgumentParser]:
    return [OPTIONS[name] for name in names]


def open_store(args):
    """The store of --db (else the default path); a clear error when another process holds it."""
    from mldebt_core.store import DatabaseLockedError, Store

    try:
        return Store(database_path(args))
    except DatabaseLockedError as locked:
        raise MldebtError(f"{locked}; stop the dashboard (or point --db at another file) and try again") from None


def database_path(args) -> Path:
    """--db, else the default path (see `store.default_db_path`)."""
    from mldebt_core.store import default_db_path

    return Path(args.db).expanduser() if args.db else default_db_path()


def write_frame(frame, fmt: str, stream=None) -> None:
    """A DataFrame on standard output: JSON records (ISO dates) or CSV without formula cells (`csv_text`); on a
    terminal, without control characters either (JSON escapes them itself)."""
    stream = sys.stdout if stream is None else stream
    if fmt == "csv":
        stream.write(csv_text(frame, terminal=stream.isatty()))
    else:
        stream.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")


def default_author() -> str:
    """Who records a decision when --author is not given: the operating system's user name."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no password entry (some containers)
        return "unknown"


def tell(message: str) -> None:
    """One line on stderr, after the command's output; names in it cannot move the cursor or add a line."""
    print(f"mldebt: {terminal_text(message)}", file=sys.stderr)


def tell_recorded(system: str, recorded) -> None:
    """What a run recorded under the findings rule (see mldebt_core.usecases), or that it recorded nothing."""
    if recorded is None:
        tell(f"not recorded as findings of {system}: only a run with the defaults records them")
    else:
        tell(f"recorded the findings of {system}: {recorded.describe()}")


class ProgressBar:
    """A tqdm bar on stderr fed by a core function's progress callback (done, total); a no-op when hidden."""

    def __init__(self, visible: bool, unit: str, description: str):
        self.visible, self.unit, self.description = visible, unit, description
        self.bar = None

    def __enter__(self):
        return self.update if self.visible else None

    def update(self, done: float, total: float) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=self.unit, desc=self.description, file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


def progress_bar(args, unit: str, description: str) -> ProgressBar:
    """The bar of a command with -q: shown on a terminal unless quiet."""
    return ProgressBar(not args.quiet and sys.stderr.isatty(), unit, description)
