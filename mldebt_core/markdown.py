"""Markdown for pasting into a wiki or an issue tracker: user- and repository-derived text shown as typed.

A name with a `*`, `_`, `[`, `|`, `<` or a backtick must not turn into emphasis, a link, a table cell break, HTML
or a code span, so every such string goes through `escape`; bare URLs are defused so that no tracker turns them
into links.
"""

import re

_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
_URL_SCHEME = re.compile(r"(?i)\b(https?|ftp|file)://")


def escape(text: object) -> str:
    """`text` as literal Markdown text on one line (newlines become spaces)."""
    flat = " ".join(str(text).split())
    return _URL_SCHEME.sub(lambda m: f"{m.group(1)}\u200b://", _SPECIALS.sub(r"\\\1", flat))


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table; every cell escaped."""
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape("" if cell is None else cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
