"""Read one file and collect its facts, or say why it cannot be analysed.

Runs in worker processes: takes a path, returns a small picklable result. Reads
bytes and parses text; nothing from the scanned repository is imported or run.
"""

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors import PYTHON_DETECTORS, TEXT_DETECTORS
from mldebt_core.scan.collect.notebooks import notebook_cells
from mldebt_core.scan.collect.python_facts import collect_python_facts
from mldebt_core.scan.collect.shell import analyse_shell
from mldebt_core.scan.collect.sql import tables
from mldebt_core.scan.collect.values import Hole, Value
from mldebt_core.scan.collect.walk import RepoFile, language_of
from mldebt_core.settings import ScanSettings

_PYTHON2 = re.compile(r"^\s*(print\s+[\"'\w%]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)", re.M)
_SHELL_HOLE = re.compile(r"(\{\$\w+\})")


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str
    detail: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    language: str
    lines: int
    size: int
    skip: Skip | None = None
    facts: CodeFacts | None = None
    asset: bool = False
    """not read on purpose (a binary file): neither analysed nor skipped"""


def collect_file(file: RepoFile, settings: ScanSettings) -> FileResult:
    limit = settings.max_notebook_bytes if file.path.endswith(".ipynb") else settings.max_file_bytes
    if file.size > limit:
        return FileResult(file.path, language_of(file.path), 0, file.size,
                          Skip("too_large", f"{file.size} bytes > limit {limit}"))
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
    try:
        facts, skip = _facts(file.path, language, text, settings)
    except RecursionError:
        facts, skip = None, Skip("recursion_limit", "nesting too deep to analyse")
    if skip is None:
        facts = _text_detectors(file.path, language, text, facts)
    return FileResult(file.path, language, lines, file.size, skip, facts)


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
    return data.decode("utf-8-sig")


def _facts(path: str, language: str, text: str, settings: ScanSettings) -> tuple[CodeFacts | None, Skip | None]:
    if language == "Python":
        return _python(path, text, settings)
    if language == "Jupyter Notebook":
        try:
            source, cells = notebook_cells(text)
        except ValueError as error:
            return None, Skip("bad_notebook", str(error))
        facts, skip = _python(path, source, settings)
        if facts is not None:
            facts.cells = cells
        return facts, skip
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
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        reason = "python2" if _PYTHON2.search(text) else "syntax_error"
        return None, Skip(reason, error.msg or "", error.lineno)
    except ValueError as error:  # null bytes
        return None, Skip("syntax_error", str(error)[:200])
    except MemoryError:  # CPython's parser stack overflows on deep nesting (e.g. 6000 unary minuses)
        return None, Skip("recursion_limit", "nesting too deep to analyse")
    return collect_python_facts(tree, path, settings, text, PYTHON_DETECTORS), None


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
