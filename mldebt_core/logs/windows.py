"""Windows of a prediction log: 'hour', 'day' and 'week', in UTC, weeks starting on Monday.

Every analysis numbers a row's window the same way, in SQL, by integer division of its epoch microseconds
(cheaper than date_trunc per row): w = (epoch_us(ts) + shift) // width, where shift, a multiple of a week,
keeps every timestamp from year 1 positive (DuckDB's // truncates toward zero) and weeks start on Monday
(1970-01-05 is one: 4 days after the epoch). `START_SQL` turns a window number back into its start.
"""

from datetime import timedelta

from mldebt_core.logs.errors import WindowError

SIZES = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
WINDOWS = tuple(SIZES)
"""the window sizes, in the order pickers offer them after the default"""
DEFAULT_WINDOW = "day"

_SHIFT = 10 ** 6 * 7 * 86_400_000_000
_OFFSET = {"week": 4 * 86_400_000_000}

WINDOW_SQL = "(epoch_us(ts) + $window_shift) // $window_width"
"""SQL: the number w of a row's window (parameters from `window_params`)"""
START_SQL = "make_timestamp(w * $window_width - $window_shift)"
"""SQL: the start of window w"""
ROW_START_SQL = f"make_timestamp(({WINDOW_SQL}) * $window_width - $window_shift)"
"""SQL: the start of a row's window"""


def check_window(window: str) -> str:
    if window not in SIZES:
        raise WindowError(f"unknown window {window!r}: expected one of {', '.join(WINDOWS)}")
    return window


def window_params(window: str) -> dict:
    """The parameters of WINDOW_SQL, START_SQL and ROW_START_SQL."""
    check_window(window)
    return {"window_width": SIZES[window] // timedelta(microseconds=1),
            "window_shift": _SHIFT - _OFFSET.get(window, 0)}

