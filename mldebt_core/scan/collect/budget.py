"""A time limit for one file's collection.

A repository can hold a file that a parser or a detector's regular expression takes minutes on.
Where the process can take a timer signal (the main thread of the CLI, and every worker process
of the pool) the limit interrupts the work; elsewhere (a thread of the dashboard) the file is
judged once done. `OverBudget` is a BaseException so that no `except Exception` of a detector
swallows it.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OverBudget(BaseException):
    """The time limit passed."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `OverBudget` in the block once `seconds` have passed, where a timer signal can be taken."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
