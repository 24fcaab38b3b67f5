"""Inline answers of the repository's authors: `# mldebt: ignore[kind, kind] reason` comments (a TEXT_DETECTOR).

Collected in the worker that reads each file, from the text it already holds: a file without the
marker `mldebt:` costs one substring search and yields nothing. Python sources and notebook cells
are tokenized (only then), so the marker inside a string is no comment; other files take it after a
comment opener: `<!--` in Markdown, reStructuredText and HTML (where `#` starts a heading), `--` in SQL,
else `#`, `//`, `--` or `;` (YAML, TOML, INI, shell, requirements, Dockerfiles…).

A comment after code covers its own line; a comment alone on its line covers the line below it (in a
notebook, within the same cell). `analyse/suppress.py` matches findings against them and validates
the kinds.
"""

import io
import re
import tokenize
from dataclasses import dataclass

from mldebt_core.scan.collect.notebooks import cell_of, notebook_cells

INLINE = "inline_ignores"  # this detector's name in TEXT_DETECTORS
MARKER = "mldebt:"
_HINT = re.compile(r"mldebt:[ \t]*ignore")
_IGNORE = re.compile(r"mldebt:[ \t]*ignore(?![\w-])(?:\[([^\]\n]*)\])?([^\n]*)")
_OPENER = re.compile(r"(?:#|//|--|;|<!--)[ \t]*(?=mldebt:)")
_MARKUP_OPENER = re.compile(r"<!--[ \t]*(?=mldebt:)")
_SQL_OPENER = re.compile(r"--[ \t]*(?=mldebt:)")
_MARKUP_SUFFIXES = (".md", ".markdown", ".rst", ".html", ".htm", ".xml")
_REASON_LEAD = " \t:-–—"  # `ignore[kind]: reason`, `ignore[kind] - reason`
_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
_NO_COMMENTS = frozenset({"JSON", "CSV"})


@dataclass(frozen=True, slots=True)
class InlineIgnore:
    line: int  # where the comment is (in a notebook: the line within its cell)
    covers: int  # the line whose findings it suppresses: its own, or the next one for a comment alone on its line
    kinds: tuple[str, ...]  # as written; () for every kind
    reason: str
    cell: int | None = None  # notebooks: the cell of both lines


def applies(path: str, language: str) -> bool:
    """Any text file with comments (files without the marker cost one `in` test); JSON and CSV have none, so
    the marker in one is data, e.g. a JSON Schema describing the comment."""
    return language not in _NO_COMMENTS


def inline_ignores(path: str, text: str) -> tuple[InlineIgnore, ...] | None:
    if MARKER not in text or not _HINT.search(text):  # "mldebt:" alone is common in mldebt's own code
        return None
    if path.endswith(".ipynb"):
        found = _notebook(text)
    elif path.endswith(_PYTHON_SUFFIXES):
        found = _python(text)
    else:
        lower = path.lower()
        found = _text(text, _MARKUP_OPENER if lower.endswith(_MARKUP_SUFFIXES)
                      else _SQL_OPENER if lower.endswith(".sql") else _OPENER)
    return tuple(found) or None


def _notebook(text: str) -> list[InlineIgnore]:
    try:
        source, cells = notebook_cells(text)
    except ValueError:
        return []  # not a notebook: the file is skipped as bad_notebook anyway
    found = []
    for ignore in _python(source):
        here, below = cell_of(cells, ignore.line), cell_of(cells, ignore.covers)
        if here and below and here[0] == below[0]:  # a comment ending a cell covers nothing in the next one
            found.append(InlineIgnore(here[1], below[1], ignore.kinds, ignore.reason, here[0]))
    return found


def _python(source: str) -> list[InlineIgnore]:
    """From COMMENT tokens, so `"# mldebt: ignore"` inside a string is text, not a suppression."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and MARKER in token.string:
                line, column = token.start
                found.extend(_parsed(token.string, line, not token.line[:column].strip(), _OPENER))
    except (tokenize.TokenError, SyntaxError):  # the file parsed, so this is rare: read it as plain text
        return _text(source, _OPENER)
    return found


def _text(text: str, openers: re.Pattern) -> list[InlineIgnore]:
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if MARKER in line:
            found.extend(_parsed(line, number, None, openers))
    return found


def _parsed(text: str, line: int, alone: bool | None, openers: re.Pattern) -> list[InlineIgnore]:
    """The ignore a comment opener followed by the marker starts in `text` (a comment, or a whole line when
    `alone` is None: then alone means nothing but blanks before the opener)."""
    opener = openers.search(text)
    match = _IGNORE.match(text, opener.end()) if opener else None
    if match is None:
        return []
    if alone is None:
        alone = not text[:opener.start()].strip()
    kinds = tuple(k for k in (part.strip() for part in (match.group(1) or "").split(",")) if k)
    reason = match.group(2).strip().removesuffix("-->").strip().lstrip(_REASON_LEAD).strip()
    return [InlineIgnore(line, line + 1 if alone else line, kinds, reason)]
