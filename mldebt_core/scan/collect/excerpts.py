"""A finding's excerpt: the cited line with a few lines around it, cut from the text the scan read.

Collection keeps each file's text as it was read and decoded (`FileResult.text`; a notebook's code
cells as written, `FileResult.cell_texts`), so that the runner can quote the code a finding cites
without opening the file again. Lines are numbered as Python's parser numbers them (`\\r\\n`, `\\r` and
`\\n` end a line); a notebook's lines are counted within the finding's cell. The lines are kept as they
are written (indentation and tabs included), each cut to `MAX_LINE_CHARS`; other control characters (a
NUL, a form feed, a terminal escape) are shown as U+FFFD, as the document shows file names.
"""

import re
from dataclasses import dataclass, field

from mldebt_core.scan.collect.file_facts import FileResult

CONTEXT_LINES = 2  # lines quoted before and after the cited line: an excerpt holds at most 5 lines
MAX_LINE_CHARS = 160  # a longer line is cut to this many characters, the last one "…"
_LINE_BREAK = re.compile(r"\r\n?|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but the tab


def excerpt(text: str, line: int) -> str | None:
    """Lines `line - 2` … `line + 2` of `text` (1-based, those that exist), joined by "\\n"; None when the
    text has no such line."""
    return _cut(_lines(text), line)


def _lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":  # the break ending the last line starts no line of its own
        lines.pop()
    return lines


def _cut(lines: list[str], line: int) -> str | None:
    if not 1 <= line <= len(lines):
        return None
    quoted = lines[max(0, line - 1 - CONTEXT_LINES): line + CONTEXT_LINES]
    return "\n".join(_shown(text) for text in quoted)


def _shown(text: str) -> str:
    if len(text) > MAX_LINE_CHARS:
        text = text[: MAX_LINE_CHARS - 1] + "…"
    return _CONTROL.sub("\ufffd", text)


@dataclass
class Excerpts:
    """The excerpts of a repository's findings, from its files' texts keyed by repository path: each file's
    text is split into lines once, and only when a finding cites it."""
    texts: dict[str, str]
    cells: dict[str, dict[int, str]]  # notebooks: cell number -> the cell's source as written
    _split: dict[tuple[str, int | None], list[str]] = field(default_factory=dict)

    @classmethod
    def of_results(cls, results: list[FileResult]) -> "Excerpts":
        return cls(texts={r.path: r.text for r in results if r.text is not None},
                   cells={r.path: dict(r.cell_texts) for r in results if r.language == "Jupyter Notebook"})

    def of(self, file: str | None, line: int | None, cell: int | None) -> str | None:
        """The excerpt at `file:line` (in a notebook, line `line` of cell `cell`); None without a file and a
        line, or when the scan kept no text for them (a file not read, a notebook line outside its cells)."""
        if file is None or line is None:
            return None
        key = (file, cell)
        if key not in self._split:
            if file in self.cells:
                text = self.cells[file].get(cell) if cell is not None else None
            else:
                text = self.texts.get(file)
            self._split[key] = _lines(text) if text is not None else []
        return _cut(self._split[key], line)
