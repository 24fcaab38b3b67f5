"""Markdown for pasting into a wiki or an issue tracker, and for the dashboard's messages (Streamlit renders
Markdown): user- and repository-derived text shown as typed.

A name with a `*`, `_`, `[`, `|`, `<`, `$` or a backtick must not turn into emphasis, a link, a table cell break,
HTML, a formula or a code span, so every such string goes through `escape`; bare URLs, `www.` names and e-mail
addresses are defused so that neither a tracker nor the dashboard turns them into links. A name is never put in a
code span: a backtick inside it would close the span.
"""

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~$])")
"""characters that open markup anywhere in a line: emphasis, code, links, HTML, table cells, strike-through, and
math (`$`: GitHub and Streamlit render TeX between dollars)"""
_EVERY_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
"""every ASCII character that opens markup somewhere (Streamlit's Markdown included)"""
_LINE_START = re.compile(r"^(\d+(?=[.)])|(?=[#=+\-]))")
"""what opens a heading, a list or a setext underline at the start of a line: escaped by a backslash before the
marker (after the digits of an ordered list's number)"""
_AUTOLINK = re.compile(r"(?=://)|(?i:(?<=\bwww))(?=[.\u3002\uff0e\uff61])|(?=@)")
"""where GFM would start a link without any markup: before a URL's `://`, between `www` and its dot, before an
e-mail's `@`; the dots include the ideographic full stop and its variants, which browsers read as '.' in a host"""


def escape(text: object) -> str:
    """`text` as literal Markdown text on one line (newlines become spaces); the rest of the text stays readable
    as written (a '.' or '-' inside a name is left alone)."""
    flat = _LINE_START.sub(r"\1\\", _INLINE.sub(r"\\\1", " ".join(str(text).split())))
    return defuse_links(flat)


def escape_everywhere(text: object) -> str:
    """`text` for a message of the dashboard, where it may follow other words or a line break: every character
    that can open markup is escaped wherever it stands (lines are kept), and links are defused."""
    return defuse_links(_EVERY_MARKUP.sub(r"\\\1", str(text)))


def defuse_links(text: str) -> str:
    """`text` with a zero-width space before each `://`, after each `www` before a dot and before each `@`: it
    reads the same, but no Markdown renderer finds a bare URL or e-mail address in it."""
    return _AUTOLINK.sub("\u200b", text)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table; every cell escaped."""
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape("" if cell is None else cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
