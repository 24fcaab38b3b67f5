"""Markdown for pasting into a wiki or an issue tracker: user- and repository-derived text shown as typed.

A name with a `*`, `_`, `[`, `|`, `<` or a backtick must not turn into emphasis, a link, a table cell break, HTML
or a code span, so every such string goes through `escape`; bare URLs are defused so that no tracker turns them
into links.
"""

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
"""characters that open markup anywhere in a line: emphasis, code, links, HTML, table cells, strike-through"""
_LINE_START = re.compile(r"^(\d+(?=[.)])|(?=[#=+\-]))")
"""what opens a heading, a list or a setext underline at the start of a line: escaped by a backslash before the
marker (after the digits of an ordered list's number)"""
_URL_SCHEME = re.compile(r"(?i)\b(https?|ftp|file)://")


def escape(text: object) -> str:
    """`text` as literal Markdown text on one line (newlines become spaces); the rest of the text stays readable
    as written (a '.' or '-' inside a name is left alone)."""
    flat = _LINE_START.sub(r"\1\\", _INLINE.sub(r"\\\1", " ".join(str(text).split())))
    return _URL_SCHEME.sub(lambda m: f"{m.group(1)}\u200b://", flat)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table; every cell escaped."""
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape("" if cell is None else cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
