"""Read one file and collect its facts, or say why it cannot be analysed.

Runs in worker processes: takes a path, returns a small picklable result. Reads
bytes and parses text; nothing from the scanned repository is imported or run.
Assets (images, archives, data and model files, by extension or by a NUL byte) are
not read; a notebook cell that does not parse is skipped alone, the rest of the
notebook is analysed.
"""

import ast
import io
import os
import posixpath
import re
import time
import tokenize
from dataclasses import dataclass, replace

from mldebt_core.scan.collect.budget import OverBudget, time_limit
from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors import PYTHON_DETECTORS, TEXT_DETECTORS
from mldebt_core.scan.collect.notebooks import Notebook, folder_at, in_folder, read_notebook
from mldebt_core.scan.collect.python_facts import collect_python_facts
from mldebt_core.scan.collect.shell import analyse_shell
from mldebt_core.scan.collect.sql import tables
from mldebt_core.scan.collect.values import Hole, Value, merge
from mldebt_core.scan.collect.walk import PROGRAMMING_LANGUAGES, RepoFile, is_asset, language_of
from mldebt_core.settings import ScanSettings

_PYTHON2 = re.compile(r"^\s*(print\s+[\"'\w%]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)", re.M)
_SHELL_HOLE = re.compile(r"(\{\$\w+\})")
_FILE_LIKE = re.compile(r"^\.{1,2}/|\.[A-Za-z][\w]{0,7}$")  # ./x, ../x, or a name with an extension
PARSED_LANGUAGES = frozenset({"Python", "Jupyter Notebook", "SQL", "Shell"})  # undecodable text is a skip


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str
    detail: str = ""
    line: int | None = None
    cell: int | None = None  # notebooks: the one cell skipped; `line` is then the line within it


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    language: str
    lines: int
    size: int
    skip: Skip | None = None
    facts: CodeFacts | None = None
    asset: bool = False
    """not read on purpose (a binary file, an image, an archive, a file too large that is no code): neither
    analysed nor skipped"""
    skipped_cells: tuple[Skip, ...] = ()
    """notebooks: cells that could not be analysed while the rest of the notebook was"""
    text: str | None = None
    """the file's text as read and decoded, kept for the findings' excerpts (`excerpts.py`) when collection found
    facts in it (every line a finding cites comes from them); None for files not read, not decoded or with no
    facts (data such as CSV or JSON Lines, which no finding quotes: it would only weigh on memory), and for
    notebooks (see `cell_texts`)"""
    cell_texts: tuple[tuple[int, str], ...] = ()
    """notebooks: (cell number, source as written) of each code cell, for the findings' excerpts"""


def collect_within_budget(file: RepoFile, settings: ScanSettings) -> FileResult:
    """`collect_file`, or a skip when it takes over `settings.file_time_budget_s`."""
    budget = settings.file_time_budget_s
    started = time.monotonic()
    try:
        with time_limit(budget):
            result = collect_file(file, settings)
    except OverBudget:
        result = None
    if result is None or (budget is not None and time.monotonic() - started > budget):
        return FileResult(file.path, language_of(file.path), 0, file.size, Skip(
            "too_large", f"reading and analysing it took over the per-file time budget of {budget:g} s"))
    return result


def collect_file(file: RepoFile, settings: ScanSettings) -> FileResult:
    if file.refused:
        return FileResult(file.path, language_of(file.path), 0, 0, Skip("unreadable", file.refused))
    if is_asset(file.path):
        return FileResult(file.path, language_of(file.path), 0, file.size, asset=True)
    limit = settings.max_notebook_bytes if file.path.endswith(".ipynb") else settings.max_file_bytes
    if file.size > limit:
        language = language_of(file.path)
        if language not in PROGRAMMING_LANGUAGES:  # a data dump or a generated file: not ours to read
            return FileResult(file.path, language, 0, file.size, asset=True)
        return FileResult(file.path, language, 0, file.size, Skip("too_large", f"{file.size} bytes > limit {limit}"))
    try:
        with open(file.absolute, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return FileResult(file.path, language_of(file.path), 0, file.size, Skip("unreadable", error.strerror or ""))
    language = language_of(file.path, data[:128])
    if b"\0" in data[: settings.binary_sniff_bytes]:
        return FileResult(file.path, language, 0, file.size, asset=True)
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    try:
        text = _decode(data, language)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return FileResult(file.path, language, lines, file.size, Skip("undecodable", str(error)[:200]))
    cells: tuple[Skip, ...] = ()
    cell_texts: tuple[tuple[int, str], ...] = ()
    try:
        if language == "Jupyter Notebook":
            facts, skip, cells, cell_texts = _notebook(file.path, file.absolute, text, settings)
        else:
            facts, skip = _facts(file.path, language, text, settings)
        if skip is None:  # config parsers too recurse: a 5,000-deep array in YAML, JSON or TOML
            facts = _text_detectors(file.path, language, text, facts)
    except RecursionError:
        facts, skip, cells, cell_texts = None, Skip("recursion_limit", "nesting too deep to analyse"), (), ()
    return FileResult(file.path, language, lines, file.size, skip, facts, skipped_cells=cells,
                      text=text if facts is not None and language != "Jupyter Notebook" else None,
                      cell_texts=cell_texts)


def _text_detectors(path: str, language: str, text: str, facts: CodeFacts | None) -> CodeFacts | None:
    for name, (applies, collect) in TEXT_DETECTORS.items():
        if applies(path, language) and (result := collect(path, text)) is not None:
            facts = facts if facts is not None else CodeFacts()
            facts.detected[name] = result
    return facts


def _decode(data: bytes, language: str) -> str:
    if language == "Python":
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    if language not in PARSED_LANGUAGES:  # configs, docs, data: read for words and keys, a stray byte costs nothing
        return data.decode("utf-8-sig", errors="replace")
    return data.decode("utf-8-sig")


def _facts(path: str, language: str, text: str, settings: ScanSettings) -> tuple[CodeFacts | None, Skip | None]:
    if language == "Python":
        return _python(path, text, settings)
    if language == "SQL":
        return sql_facts(text), None
    if language == "Shell":
        accesses, runs = analyse_shell(text)
        raw = [RawAccess(a.line, a.mode, a.api, _shell_value(a.location, a.resolved), a.location) for a in accesses]
        return CodeFacts(accesses=raw, runs=runs), None
    return None, None


def _shell_value(location: str, resolved: bool) -> Value:
    """Unset shell variables (rendered `{$NAME}`) as holes, so the location reads partial, not resolved."""
    if resolved:
        return (location,)
    return tuple(Hole(part[1:-1]) if _SHELL_HOLE.fullmatch(part) else part
                 for part in _SHELL_HOLE.split(location) if part)


def _python(path: str, text: str, settings: ScanSettings) -> tuple[CodeFacts | None, Skip | None]:
    tree, skip = _parse(path, text)
    if tree is None:
        return None, skip
    return collect_python_facts(tree, path, settings, text, PYTHON_DETECTORS), None


def _parse(path: str, text: str) -> tuple[ast.Module | None, Skip | None]:
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as error:
        reason = "python2" if _PYTHON2.search(text) else "syntax_error"
        return None, Skip(reason, error.msg or "", error.lineno)
    except ValueError as error:  # null bytes
        return None, Skip("syntax_error", str(error)[:200])
    except MemoryError:  # CPython's parser stack overflows on deep nesting (e.g. 6000 unary minuses)
        return None, Skip("recursion_limit", "nesting too deep to analyse")


def _notebook(path: str, absolute: str, text: str, settings: ScanSettings
              ) -> tuple[CodeFacts | None, Skip | None, tuple[Skip, ...], tuple[tuple[int, str], ...]]:
    """A notebook's facts; when its source does not parse, each cell that does not parse alone is left out (as
    Jupyter runs each cell on its own) and listed, and the rest is analysed. Last, its code cells as written."""
    folder = os.path.dirname(absolute)
    try:
        notebook = read_notebook(text, committed=lambda script: os.path.isfile(os.path.join(folder, script)))
    except ValueError as error:
        return None, Skip("bad_notebook", str(error)), (), ()
    source = notebook.source
    tree, skip = _parse(path, source)
    cells: tuple[Skip, ...] = ()
    if tree is None and skip.reason in ("syntax_error", "python2"):
        cells = tuple(replace(bad, cell=cell.number) for cell in notebook.cells
                      if (bad := _parse(path, cell.python)[1]) is not None)
        if cells:
            skipped = {s.cell for s in cells}
            source = "\n".join("\n" * cell.python.count("\n") if cell.number in skipped else cell.python
                               for cell in notebook.cells) + "\n"
            tree, skip = _parse(path, source)
    if tree is None:
        return None, skip, (), ()
    facts = collect_python_facts(tree, path, settings, source, PYTHON_DETECTORS)
    facts.cells = notebook.starts
    _notebook_io(facts, notebook, path, {s.cell for s in cells})
    return facts, None, cells, tuple((cell.number, cell.written) for cell in notebook.cells)


def _notebook_io(facts: CodeFacts, notebook: Notebook, path: str, skipped: set[int]) -> None:
    """What the notebook's magics read and run, joined to its Python facts (its shell escapes are Python calls
    by now, read by `python_facts`), and every relative path seen from the folder `%cd` moved to."""
    starts = [(cell.start, cell.number) for cell in notebook.cells]

    def analysed(line: int) -> bool:
        return next((n for s, n in reversed(starts) if s <= line), None) not in skipped

    facts.accesses.extend(RawAccess(line, "read", f"%%{magic}", (text,), f"%%{magic}", target="sql")
                          for line, magic, text in notebook.sql)
    facts.runs.extend((line, target) for line, target in notebook.runs if analysed(line))
    if notebook.folders:
        facts.accesses[:] = [replace(a, value=_moved(a.value, folder_at(notebook.folders, a.line), any_path=True))
                             if a.target == "path" else a for a in facts.accesses]
        facts.call_sites[:] = [_call_moved(c, folder_at(notebook.folders, c.line)) for c in facts.call_sites]
    folder = posixpath.dirname(path)
    facts.runs[:] = [(line, _script_path(target, folder, folder_at(notebook.folders, line)))
                     for line, target in facts.runs]


def _moved(value: Value, folder: str | None, any_path: bool) -> Value:
    """A location written after `%cd folder`, as seen from the notebook's own folder."""
    first = value[0] if value else None
    if folder == "" or not isinstance(first, str) or not (any_path or _FILE_LIKE.search(first)):
        return value
    moved = in_folder(first, folder)
    if moved is None:  # relative to a folder only known at run time: no claim about where it is
        return merge((Hole("cwd"), "/", first, *value[1:]))
    if moved != first and first.endswith("/"):
        moved += "/"
    return (moved, *value[1:])


def _call_moved(call, folder: str | None):
    """Helper calls with path-like arguments, likewise (arguments that name no file stay as they are)."""
    if folder == "":
        return call
    args = tuple(None if a is None else (_moved(a[0], folder, any_path=False), a[1]) for a in call.args)
    kwargs = tuple((k, _moved(v, folder, any_path=False), t) for k, v, t in call.kwargs)
    return replace(call, args=args, kwargs=kwargs)


def _script_path(target: str, notebook_folder: str, folder: str | None) -> str:
    """A script a notebook runs (`!python x.py`, `%run x.py`), as a path from the repository root."""
    if not target.endswith((".py", ".ipynb")) or target.startswith(("/", "~", "{", "$")):
        return target
    if folder is None:  # run from a folder only known at run time
        return "{cwd}/" + target
    return posixpath.normpath(posixpath.join(notebook_folder, folder, target))


def sql_facts(text: str) -> CodeFacts:
    """Tables of a .sql file, each on the line where its name first appears."""
    read, written = tables(text)
    lower = text.lower()
    accesses = []
    for mode, names in (("read", read), ("write", written)):
        for name in names:
            offset = lower.find(name.lower())
            line = lower.count("\n", 0, offset) + 1 if offset >= 0 else 1
            accesses.append(RawAccess(line, mode, "sql", (name,), name, target="table"))
    return CodeFacts(accesses=accesses)
