"""What commands share: opening the store named by --db, writing a table as JSON or CSV, a progress bar."""

import sys
from pathlib import Path

from mldebt_core.errors import MldebtError

TABLE_FORMATS = ("json", "csv")


def open_store(args):
    """The store of --db (else the default path); a clear error when another process holds it."""
    from mldebt_core.store import DatabaseLockedError, Store, default_db_path

    db = Path(args.db).expanduser() if args.db else default_db_path()
    try:
        return Store(db)
    except DatabaseLockedError as locked:
        raise MldebtError(f"{locked}; stop the dashboard (or point --db at another file) and try again") from None


def add_format_argument(parser) -> None:
    parser.add_argument("--format", choices=TABLE_FORMATS, default="json",
                        help="json (default): one JSON object per result; csv: a table with a header row")


def write_frame(frame, fmt: str, stream=None) -> None:
    """A DataFrame on standard output: JSON records (ISO dates) or CSV."""
    stream = sys.stdout if stream is None else stream
    if fmt == "csv":
        frame.to_csv(stream, index=False)
    else:
        stream.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")


class ProgressBar:
    """A tqdm bar on stderr fed by a core function's progress callback (done, total); a no-op when hidden."""

    def __init__(self, visible: bool, unit: str, description: str):
        self.visible, self.unit, self.description = visible, unit, description
        self.bar = None

    def __enter__(self):
        return self.update if self.visible else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=self.unit, desc=self.description, file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
