"""Run one ablation in a background thread, so a dashboard can show its progress and cancel it.

The dashboard keeps the `BackgroundRun` in its session and polls `status` while the thread works;
`cancel()` sets an event that the run checks between model fits, so it stops within one fit per
worker and stores nothing.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from mldebt_core.ablation.engine import Cancel, Progress
from mldebt_core.errors import MldebtError

Result = TypeVar("Result")
Work = Callable[[Progress, Cancel], Result]
"""the run: called with a progress callback and a cancel check, returns the result"""


@dataclass(frozen=True)
class Status(Generic[Result]):
    done: int
    total: int
    running: bool
    cancelled: bool
    result: Result | None
    error: str | None
    """one sentence when the run failed on a user error (MldebtError); other errors are re-raised by `wait`"""


class BackgroundRun(Generic[Result]):
    def __init__(self, work: Work):
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._done, self._total = 0, 0
        self._result: Result | None = None
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

    def wait(self, timeout: float | None = None) -> Status[Result]:
        """The status once the thread ends (or after `timeout` seconds); re-raises an unexpected error."""
        self._thread.join(timeout)
        if self._crash is not None:
            raise self._crash
        return self.status

    @property
    def status(self) -> Status[Result]:
        with self._lock:
            done, total = self._done, self._total
        running = self._thread.is_alive()
        return Status(done, total, running, self._cancel.is_set() and not running and self._result is None,
                      None if running else self._result, None if running else self._error)
