"""Text written by someone else (a scanned repository, an uploaded log, a user's name) made safe for where it is
shown: a CSV cell a spreadsheet opens, a plotly label, a terminal. Markdown has its own home, `markdown.escape`.

Each function keeps the text readable as typed; none of them is a validation (the input stays what it was).
"""

import datetime
import html
import numbers
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""what makes a spreadsheet read a cell as a formula (OWASP, CSV injection): such a string gets a leading `'`"""

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""C0 and C1 control characters (ESC sequences, CR, backspace...) but tab and newline, and the bidirectional
overrides that reorder what a terminal shows (a "Trojan source" file name)"""
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_NEWLINE = re.compile(f"[{_CONTROLS}\n]")


def csv_cell(value: object) -> object:
    """A cell as a spreadsheet must read it: a string that would start a formula gets a leading `'`; numbers,
    dates and missing values stay what they are (a negative number is a number, not a formula)."""
    if value is None or isinstance(value, (numbers.Number, datetime.date)):
        return value
    text = value if isinstance(value, str) else str(value)  # e.g. a list: written as its str()
    return "'" + text if text.startswith(FORMULA_STARTS) else value


def csv_text(frame, terminal: bool = False) -> str:
    """A pandas DataFrame as CSV (header row, no index) with every string cell and column name through
    `csv_cell`: the one writer of every CSV the dashboard offers and the CLI prints. Rows end in CRLF (RFC 4180)
    so that a cell holding a lone CR is quoted: with LF endings Python's writer leaves it bare, and a spreadsheet
    starts a new row there, whose first cell escapes the quoting of `csv_cell`. `terminal=True`: for a terminal,
    control characters shown visibly (`terminal_text`) and LF endings."""
    from pandas.api import types

    def cell(value):
        return csv_cell(terminal_text(value, newlines=True) if terminal and isinstance(value, str) else value)

    safe = frame.rename(columns=cell)
    for position, dtype in enumerate(safe.dtypes):
        if not (types.is_numeric_dtype(dtype) or types.is_datetime64_any_dtype(dtype)
                or types.is_timedelta64_dtype(dtype)):  # strings, objects, categories: any cell may be text
            safe.isetitem(position, safe.iloc[:, position].map(cell, na_action="ignore"))
    return safe.to_csv(index=False, lineterminator="\n" if terminal else "\r\n")


def plotly_text(value: object) -> str:
    """A name for a plotly label (axis tick, legend, hover, title): plotly reads a subset of HTML there (`<a
    href>`, `<b>`, `<br>`), so `<`, `>` and `&` become entities, which plotly shows as the characters typed."""
    return html.escape(str(value), quote=False)


def terminal_text(text: object, newlines: bool = False) -> str:
    """Text for a terminal: control characters shown as visible escapes (`\\x1b`), so a file name cannot move
    the cursor, recolour the screen or fake a line; `newlines=True` keeps line breaks (a table)."""
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(lambda match: _visible(match[0]), str(text))


def _visible(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
