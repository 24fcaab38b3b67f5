"""Run one ablation in a background thread, so a dashboard can show its progress and cancel it.

The dashboard keeps the `BackgroundRun` in its session and polls `status` while the thread works;
`cancel()` sets an event that the run checks between model fits, so it stops within one fit per
worker and stores nothing. `upload_work` is the dashboard's unit of work: an uploaded table in,
a stored run out.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from mldebt_core.ablation.engine import Cancel, Progress
from mldebt_core.ablation.groups import parse_groups_file
from mldebt_core.ablation.lineage import feature_costs
from mldebt_core.ablation.persist import save_run
from mldebt_core.ablation.run import AblationConfig, run_ablation
from mldebt_core.ablation.table import load_table, table_file
from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS, AblationSettings
from mldebt_core.store import Store

Work = Callable[[Progress, Cancel], object]
"""the run: called with a progress callback and a cancel check, returns the result"""


@dataclass(frozen=True)
class Status:
    done: int
    total: int
    running: bool
    cancelled: bool
    result: object | None
    error: str | None
    """one sentence when the run failed on a user error (MldebtError); other errors are re-raised by `wait`"""


class BackgroundRun:
    def __init__(self, work: Work):
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._done, self._total = 0, 0
        self._result: object | None = None
        self._error: str | None = None
        self._crash: Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="mldebt-ablation", daemon=True)
        self._thread.start()

    def _run(self, work: Work) -> None:
        try:
            result = work(self._progress, self._cancel.is_set)
        except MldebtError as error:
            self._error = str(error)
        except Exception as error:  # handed to the page by `wait`, never lost in the thread
            self._crash = error
        else:
            self._result = result

    def _progress(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> Status:
        """The status once the thread ends (or after `timeout` seconds); re-raises an unexpected error."""
        self._thread.join(timeout)
        if self._crash is not None:
            raise self._crash
        return self.status

    @property
    def status(self) -> Status:
        with self._lock:
            done, total = self._done, self._total
        running = self._thread.is_alive()
        return Status(done, total, running, self._cancel.is_set() and not running and self._result is None,
                      None if running else self._result, None if running else self._error)


@dataclass(frozen=True)
class Upload:
    """What the user gave: a table's bytes and name, the target, options, and an optional groups file."""

    data: bytes
    name: str
    target: str
    task: str | None = None
    config: AblationConfig = field(default_factory=AblationConfig)
    groups: tuple[bytes, str] | None = None
    """(bytes, file name) of a groups file"""


def upload_work(store: Store, system: str, scan_id: int | None, upload: Upload,
                settings: AblationSettings = DEFAULT_ABLATION_SETTINGS) -> Work:
    """Load, check, ablate and store `upload` for `system` (costs from `scan_id`'s lineage); returns the run id."""

    def work(progress: Progress, cancel: Cancel) -> int:
        with table_file(upload.data, upload.name, settings) as path:
            table = load_table(store, path, upload.target, upload.task, upload.name, settings)
        groups = parse_groups_file(*upload.groups, table.features, settings) if upload.groups else []
        result = run_ablation(table, upload.config, feature_costs(store, scan_id, table.features, system), groups,
                              settings, progress, cancel)
        return save_run(store, system, result, scan_id)

    return work
