"""Jupyter notebooks as Python: the code cells, joined, and the way back to cell numbers.

Code cells are joined into one source that the scanner parses like a module. IPython syntax
becomes Python of the same line count, so that locations keep their lines. Shell escapes
become what IPython itself runs, for the shell analysis of `python_facts`:
`!cmd` -> `get_ipython().system('cmd')`, `x = !cmd` -> `x = get_ipython().getoutput('cmd')`,
a `%%bash`/`%%sh` cell -> `get_ipython().run_cell_magic('bash', '', '<its text>')` on its first
line (backslash-continued commands are joined onto their first line). Other line magics
(`%pip`, `%cd`, `%run`, `%timeit`…, also without the `%` where the line is no Python), `?`/`??`
help and cell magics become `pass` or blank lines (with the lines they continue on); `%time`
keeps the statement it times, and `%%time`, `%%capture` and `%%writefile <script>.py` cells
their Python body. What the other magics say is kept aside: the SQL of `%%sql`/`%%bigquery`
cells, the scripts `%run` runs, and the working folder `%cd` (or `os.chdir("…")`) moves to,
from which later relative paths resolve. Locations are reported as the cell number (all
cells counted from 1, as notebook editors show them) and the line within it.
"""

import ast
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Cell magics whose body is Python the notebook runs (`%%timeit` runs it apart, for timing only: not the notebook's)
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "shell", "system"})  # `%%script bash` too
SQL_CELL_MAGICS = frozenset({"sql", "bigquery", "sparksql", "spark_sql"})
TIMING_MAGICS = frozenset({"time", "prun"})  # `%time <statement>` runs the statement in the notebook
SHELL_LINE_MAGICS = frozenset({"sx", "system"})
# IPython's automagic: these run without `%` when the line is no Python (`pip install x`, `cd ..`).
AUTOMAGICS = frozenset({"pip", "pip3", "conda", "mamba", "cd", "ls", "pwd", "cat", "cp", "mv", "rm", "mkdir",
                        "rmdir", "env", "run", "load_ext", "reload_ext", "matplotlib", "pylab", "time", "timeit",
                        "who", "whos", "history", "bookmark", "pushd", "popd", "sx", "system", "alias", "store",
                        "autoreload", "aimport", "tensorflow_version", "config", "uv"})

# What a cell holding IPython syntax has somewhere: a line starting with !, % or ?, or with a magic's name and a
# space (automagic), a line ending in ?, `= !`/`= %` (an assignment of a shell's output), os.chdir
_MAYBE_IPYTHON = re.compile(r"^[ \t]*(?:[!%?]|(?:" + "|".join(sorted(AUTOMAGICS)) + r")[ \t])|\?[ \t]*$|=[ \t]*[!%]|"
                            r"os\.chdir", re.M)
_SHELL_ASSIGN = re.compile(r"^(?P<target>[A-Za-z_][\w.\[\]'\", ]*?)\s*=\s*(?P<op>!!?|%)(?P<rest>.*)$")
_HELP = re.compile(r"^(?:\?{1,2}[\w.*\[\]]+|%?[\w.*\[\]()]+\?{1,2})$")
_MAGIC_NAME = re.compile(r"%*([\w.]+)\s*(.*)$", re.S)
_TIMING_OPTIONS = re.compile(r"^(?:-[nrp]\s*\d+\s+|-[qoctl]\s+|-[a-zA-Z]\s+\S+\s+)*")
_TOKENS = re.compile(r"""\"\"\"|'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|#[^\n]*|[()\[\]{}]""")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_AUTOMAGIC_ARGUMENT = re.compile(r"[\w\-~/'\"$]|\.\.?(?:/|$|\s)")  # a word, an option, a path: no operator
_CHDIR = re.compile(r"""^os\.chdir\(\s*(?P<q>['"])(?P<dir>[^'"]*)(?P=q)\s*\)\s*(?:#.*)?$""")
_URI = re.compile(r"^[a-zA-Z][\w+.-]+:")


@dataclass(frozen=True, slots=True)
class NotebookCell:
    number: int  # all cells counted from 1, markdown included
    start: int  # first line of the cell in the joined source
    python: str  # the cell as Python, line for line
    written: str = ""  # the cell's source as written in the notebook (what a finding's excerpt quotes)


@dataclass(frozen=True, slots=True)
class Notebook:
    cells: tuple[NotebookCell, ...]  # the code cells
    sql: tuple[tuple[int, str, str], ...] = ()  # (source line, magic, SQL text) of %%sql/%%bigquery cells
    runs: tuple[tuple[int, str], ...] = ()  # (source line, script) that `%run` runs, as written
    folders: tuple[tuple[int, str | None], ...] = ()
    """(source line, working folder from that line on, relative to the notebook's own; None when unknown)"""

    @property
    def source(self) -> str:
        return "\n".join(cell.python for cell in self.cells) + "\n"

    @property
    def starts(self) -> tuple[tuple[int, int], ...]:
        return tuple((cell.start, cell.number) for cell in self.cells)


def notebook_source(text: str) -> str:
    """The code cells of a notebook as one Python source; IPython syntax becomes Python."""
    return read_notebook(text).source


def notebook_cells(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """(source of the code cells, (first source line, cell number) of each code cell)."""
    notebook = read_notebook(text)
    return notebook.source, notebook.starts


def cell_of(cells: tuple[tuple[int, int], ...], line: int) -> tuple[int, int] | None:
    """(cell number, line within the cell) of a line of `notebook_cells`' source; None outside notebooks."""
    start, number = next(((s, n) for s, n in reversed(cells) if s <= line), (None, None))
    return (number, line - start + 1) if number else None


def folder_at(folders: tuple[tuple[int, str | None], ...], line: int) -> str | None:
    """The working folder at `line` (relative to the notebook's; '' for its own, None when unknown)."""
    return next((folder for start, folder in reversed(folders) if start <= line), "")


def read_notebook(text: str, committed: Callable[[str], bool] | None = None) -> Notebook:
    """The notebook's code cells as Python, with what its IPython syntax says; ValueError when it is none.

    `committed(path)` tells whether a script a `%%writefile` cell writes (a path from the notebook's folder) is a
    file of the repository: then it is analysed as that file, and the cell is not the notebook's code too."""
    try:
        document = json.loads(text)
        cells = document["cells"] if "cells" in document else document["worksheets"][0]["cells"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"not a Jupyter notebook: {error}") from None
    if not isinstance(cells, list):  # malformed JSON must be a skipped file, never a crashed scan
        raise ValueError(f"not a Jupyter notebook: cells is a {type(cells).__name__}, not a list")
    state = _State(committed=committed)
    code_cells = []
    line = 1
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        elif not isinstance(source, str):
            raise ValueError(f"not a Jupyter notebook: a cell's source is a {type(source).__name__}")
        code_cells.append(NotebookCell(number, line, _cell_python(source, line, state), source))
        line += source.count("\n") + 1
    return Notebook(tuple(code_cells), tuple(state.sql), tuple(state.runs), tuple(state.folders))


@dataclass
class _State:
    sql: list = field(default_factory=list)
    runs: list = field(default_factory=list)
    folders: list = field(default_factory=list)
    folder: str | None = ""
    committed: Callable[[str], bool] | None = None

    def change_folder(self, line: int, target: str | None) -> None:
        if target is None or target in ("-", "~") or target.startswith(("~", "$")) or "{" in target:
            self.folder = None
        elif target.startswith("/"):
            self.folder = posixpath.normpath(target)
        elif self.folder is not None:
            folder = posixpath.normpath(posixpath.join(self.folder or ".", target))
            self.folder = "" if folder == "." else folder
        self.folders.append((line, self.folder))


def _cell_python(source: str, start: int, state: _State) -> str:
    if not _MAYBE_IPYTHON.search(source):  # most cells: plain Python, kept as they are
        return source
    lines = source.split("\n")
    magic_line = next((i for i, text in enumerate(lines) if text.strip() and not text.lstrip().startswith("#")),
                      None)
    if magic_line is not None and lines[magic_line].lstrip().startswith("%%"):
        return _cell_magic(lines, magic_line, start, state)
    return "\n".join(_lines_python(lines, start, state))


def _cell_magic(lines: list[str], at: int, start: int, state: _State) -> str:
    """A cell under a cell magic: Python for %%time and the like, a shell call for %%bash, else blank lines."""
    name, _, argument = lines[at].strip()[2:].partition(" ")
    body = lines[at + 1:]
    blank = ["" for _ in lines[:at]]
    if name in PYTHON_CELL_MAGICS or (name == "writefile" and _written_script(argument, state)):
        return "\n".join([*blank, ""] + _lines_python(body, start + at + 1, state))
    shell = name in SHELL_CELL_MAGICS or (name == "script" and argument.split()[:1] in (["bash"], ["sh"]))
    if shell and body:  # the text starts with the line break, so that its lines count from the cell's magic line
        magic = "bash" if name == "shell" else name  # Colab's %%shell
        call = f"get_ipython().run_cell_magic({magic!r}, {argument.strip()!r}, {chr(10).join(['', *body])!r})"
        return "\n".join([*blank, call, *("" for _ in body)])
    if name in SQL_CELL_MAGICS and "\n".join(body).strip():
        state.sql.append((start + at + 1, name, "\n".join(body)))
    return "\n" * (len(lines) - 1)


def _written_script(argument: str, state: _State) -> bool:
    """`%%writefile trainer/task.py`: a script the notebook writes to run it, whose reads and writes count as the
    notebook's, unless the repository holds that script too (it is analysed as its own file)."""
    written = _unquoted(argument.split()[-1]) if argument.split() else None
    if not written or not written.endswith(".py"):
        return False
    if state.committed is None or state.folder is None or written.startswith(("/", "~", "$", "{")):
        return True
    return not state.committed(posixpath.normpath(posixpath.join(state.folder or ".", written)))


def _lines_python(lines: list[str], start: int, state: _State) -> list[str]:
    """The lines as Python. Only a line that starts a statement can be IPython syntax: a line inside open
    brackets or a triple-quoted string, or after a backslash, is Python's (`cat for x in y` in `set(` … `)`)."""
    out: list[str] = []
    depth, triple, continued = 0, None, False
    i = 0
    while i < len(lines):
        text = lines[i]
        stripped = text.strip()
        starts = not (depth or triple or continued)
        indent = text[: len(text) - len(text.lstrip())]
        replacement = _magic_line(stripped, indent, start + i, lines, i, state) if stripped and starts else None
        if replacement is None:
            out.append(text)
            depth, triple = _open_after(text, depth, triple)
            continued = text.rstrip().endswith("\\") and not triple
            i += 1
            continue
        python, consumed = replacement
        out.append(python)
        out.extend("" for _ in range(consumed))
        i += 1 + consumed
    return out


def _open_after(text: str, depth: int, triple: str | None) -> tuple[int, str | None]:
    """(brackets open, triple quote open) after a line of Python, strings and comments skipped."""
    position = 0
    if triple:
        end = text.find(triple)
        if end < 0:
            return depth, triple
        position, triple = end + 3, None
    while (token := _TOKENS.search(text, position)) is not None:
        found, position = token.group(), token.end()
        if found in ('"""', "'''"):
            end = text.find(found, position)
            if end < 0:
                return depth, found
            position = end + 3
        elif found in "([{":
            depth += 1
        elif found in ")]}":
            depth = max(0, depth - 1)
    return depth, None


def _magic_line(stripped: str, indent: str, line: int, lines: list[str], i: int,
                state: _State) -> tuple[str, int] | None:
    """(Python for the line, continuation lines it swallows), or None for a line of plain Python."""
    if _HELP.match(stripped):
        return indent + "pass", 0
    if stripped[0] not in "!%":
        if (assign := _SHELL_ASSIGN.match(stripped)) is not None:
            return _assigned(assign, indent, lines, i)
        if (chdir := _CHDIR.match(stripped)) is not None:
            state.change_folder(line, chdir.group("dir"))
            return None
        if not _automagic(stripped):
            return None
        stripped = "%" + stripped
    command, consumed = _continued(stripped, lines, i)
    if command.startswith("!"):
        runner = "getoutput" if command.startswith("!!") else "system"
        return f"{indent}get_ipython().{runner}({command.lstrip('!').strip()!r})", consumed
    match = _MAGIC_NAME.match(command)
    name, argument = (match.group(1), match.group(2).strip()) if match else ("", "")
    if name in TIMING_MAGICS and not command.startswith("%%"):
        timed = stripped[stripped.index(name) + len(name):].lstrip()
        timed = timed[_TIMING_OPTIONS.match(timed).end():]
        return (indent + timed, 0) if timed else (indent + "pass", consumed)
    if name in ("cd", "pushd"):
        state.change_folder(line, _cd_target(argument))
    elif name == "run" and (script := _run_target(argument)):
        state.runs.append((line, script))
    elif name in SHELL_LINE_MAGICS:
        return f"{indent}get_ipython().system({argument!r})", consumed
    return indent + "pass", consumed


def _assigned(assign: re.Match, indent: str, lines: list[str], i: int) -> tuple[str, int]:
    """`x = !cmd`, `x = %sx cmd`, `t = %timeit -o f()`: the name stays bound, to what IPython binds it to."""
    command, consumed = _continued(assign.group("rest"), lines, i)
    target = assign.group("target")
    name, _, rest = command.partition(" ")
    if assign.group("op").startswith("!"):
        return f"{indent}{target} = get_ipython().getoutput({command.strip()!r})", consumed
    if name in SHELL_LINE_MAGICS:
        return f"{indent}{target} = get_ipython().getoutput({rest.strip()!r})", consumed
    return f"{indent}{target} = get_ipython().run_line_magic({name!r}, {rest.strip()!r})", consumed


def _automagic(stripped: str) -> bool:
    """`pip install x`, `cd ..`: a magic's name and an argument on a line that is no Python."""
    name, _, rest = stripped.partition(" ")
    rest = rest.lstrip()
    # `history = model.fit(x,` is Python (continued on the next line), `pip install x` is none
    if name not in AUTOMAGICS or not rest or not _AUTOMAGIC_ARGUMENT.match(rest):
        return False
    try:
        ast.parse(stripped)
    except SyntaxError:
        return True
    return False


def _continued(command: str, lines: list[str], i: int) -> tuple[str, int]:
    """A command with its continued lines joined (a trailing backslash, or brackets left open as in
    `%timeit f(a,` + `b)`), and how many lines it swallowed."""
    consumed = 0
    while i + consumed + 1 < len(lines):
        if command.rstrip().endswith("\\"):
            command = command.rstrip()[:-1] + " " + lines[i + consumed + 1].strip()
        elif _open_brackets(command) > 0:
            command = command + " " + lines[i + consumed + 1].strip()
        else:
            break
        consumed += 1
    return command, consumed


def _open_brackets(text: str) -> int:
    bare = _QUOTED.sub("", text.split(" #", 1)[0])
    return sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")


def _unquoted(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _cd_target(argument: str) -> str | None:
    """`%cd -q dir`, `%cd -b name`: options, then the folder (a bookmark is unknown here)."""
    words = argument.split()
    if words and words[0] == "-b":
        return None
    rest = [w for w in words if not w.startswith("-")]
    return _unquoted(" ".join(rest)) if rest else None


def _run_target(argument: str) -> str | None:
    """The script `%run [-i] [-m module] script.py args` runs."""
    words = argument.split()
    for n, word in enumerate(words):
        if word == "-m" and n + 1 < len(words):
            return words[n + 1]
        if word.startswith("-"):
            continue
        word = _unquoted(word) or ""
        return word if word.endswith((".py", ".ipynb")) and "$" not in word and "{" not in word else None
    return None


def in_folder(location: str, folder: str | None) -> str | None:
    """A relative path written after `%cd folder`, as seen from the notebook's own folder; None when the folder
    is unknown and the path relative; the location itself when it is absolute, a URL or the folder unchanged."""
    if folder == "" or location.startswith(("/", "~", "{", "$")) or _URI.match(location):
        return location
    if folder is None:
        return None
    return posixpath.normpath(posixpath.join(folder, location))
