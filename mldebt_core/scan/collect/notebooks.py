"""Jupyter notebooks as Python: the code cells, joined, and the way back to cell numbers.

Code cells are joined into one source that the scanner parses like a module; IPython
magics become `pass` so the source parses. Locations are reported as the cell number
(all cells counted from 1, as notebook editors show them) and the line within it.
"""

import json
import re

_MAGIC = re.compile(r"^\s*[%!?]")


def notebook_source(text: str) -> str:
    """The code cells of a notebook as one Python source; IPython magics become `pass`."""
    return notebook_cells(text)[0]


def cell_of(cells: tuple[tuple[int, int], ...], line: int) -> tuple[int, int] | None:
    """(cell number, line within the cell) of a line of `notebook_cells`' source; None outside notebooks."""
    start, number = next(((s, n) for s, n in reversed(cells) if s <= line), (None, None))
    return (number, line - start + 1) if number else None


def notebook_cells(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """(source of the code cells, (first source line, cell number) of each code cell).

    Cell numbers count every cell from 1, as notebook editors show them; the scan
    reports notebook locations as cell and line within the cell.
    """
    try:
        document = json.loads(text)
        cells = document["cells"] if "cells" in document else document["worksheets"][0]["cells"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"not a Jupyter notebook: {error}") from None
    if not isinstance(cells, list):  # malformed JSON must be a skipped file, never a crashed scan
        raise ValueError(f"not a Jupyter notebook: cells is a {type(cells).__name__}, not a list")
    chunks = []
    starts = []
    line = 1
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        elif not isinstance(source, str):
            raise ValueError(f"not a Jupyter notebook: a cell's source is a {type(source).__name__}")
        starts.append((line, number))
        line += source.count("\n") + 1
        if source.lstrip().startswith("%%"):
            chunks.append("\n" * source.count("\n"))
            continue
        chunks.append("\n".join(_unmagic(text_line) for text_line in source.split("\n")))
    return "\n".join(chunks) + "\n", tuple(starts)


def _unmagic(line: str) -> str:
    if not _MAGIC.match(line):
        return line
    return line[: len(line) - len(line.lstrip())] + "pass"
