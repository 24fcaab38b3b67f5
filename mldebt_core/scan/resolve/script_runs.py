"""Scripts that a declared command runs, and what their code reads and writes when run with its arguments.

`python src/train.py data/features model.pkl` (a DVC stage's `cmd`, an Airflow `bash_command`) runs
src/train.py with `sys.argv[1] = "data/features"`: its `open(os.path.join(sys.argv[1], "train.pkl"))`
reads data/features/train.pkl. Arguments reach the code as `sys.argv[N]`, as `args.<dest>` of an argparse
parser (options by name, positionals in order, defaults when not given) or as the parameters of a click
command. Where the command line cannot be matched word for word (an option this file does not declare), no
argument after it is bound.
"""

import posixpath
import re
import shlex
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors.pipeline_steps import PipelineSteps, ScriptArgument
from mldebt_core.scan.collect.remote_io import hub_or_path
from mldebt_core.scan.collect.sql import tables
from mldebt_core.scan.collect.values import Hole, Value, merge, render, render_raw
from mldebt_core.scan.resolve.constants import resolve_value
from mldebt_core.scan.resolve.helpers import Helpers, through_helper
from mldebt_core.scan.resolve.lineage import artifact_id
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.schema import DataAccess

STEPS = "pipeline_steps"  # the Python detector's name in PYTHON_DETECTORS
_SEPARATORS = re.compile(r"&&|\|\||;|\||\n")
_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")
_RUNNERS = {"Rscript": (".R", ".r"), "bash": (".sh",), "sh": (".sh",), "julia": (".jl",)}
_NOTEBOOK_RUNNERS = ("papermill", "jupyter", "ipython")
_WRAPPERS = (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run"))


@dataclass(frozen=True, slots=True)
class Run:
    script: str  # repository path of the code file the command runs
    args: tuple[str, ...]  # the words after it
    python: bool  # its arguments can be bound to the code (a .py file or a module)


def runs_of(command: str, cwd: str, files: frozenset[str], index: ModuleIndex) -> list[Run]:
    """The repository's code files that a shell command runs (`cd x && python y.py`, `python -m pkg.train`)."""
    runs = []
    for part in _SEPARATORS.split(command):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        while words and "=" in words[0] and not words[0].startswith(("-", "=")):
            words = words[1:]  # `PYTHONPATH=. python …`
        for wrapper in _WRAPPERS:
            if tuple(words[:2]) == wrapper:
                words = words[2:]
        if not words:
            continue
        program = posixpath.basename(words[0])
        if program == "cd" and len(words) == 2:
            cwd = _join(cwd, words[1])
        elif _PYTHON.match(program):
            runs.extend(_python_run(words[1:], cwd, files, index))
        elif program in _RUNNERS and len(words) > 1 and words[1].endswith(_RUNNERS[program]):
            script = _join(cwd, words[1])
            runs.extend([Run(script, tuple(words[2:]), False)] if script in files else [])
        elif program in _NOTEBOOK_RUNNERS:
            notebook = next((_join(cwd, w) for w in words[1:] if w.endswith(".ipynb")), None)
            runs.extend([Run(notebook, (), False)] if notebook in files else [])
        elif program.endswith(".py") and _join(cwd, words[0]) in files:
            runs.append(Run(_join(cwd, words[0]), tuple(words[1:]), True))
    return runs


def _python_run(words: list[str], cwd: str, files: frozenset[str], index: ModuleIndex) -> list[Run]:
    for i, word in enumerate(words):
        if word == "-m" and i + 1 < len(words):
            module = index.by_name.get(words[i + 1])
            return [Run(module.path, tuple(words[i + 2:]), True)] if module else []
        if word == "-c":
            return []
        if not word.startswith("-"):
            script = _join(cwd, word)
            return [Run(script, tuple(words[i + 1:]), script.endswith(".py"))] if script in files else []
    return []


def _join(cwd: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(cwd, path)) if cwd else posixpath.normpath(path)


# -- binding the arguments to the script's code -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Bound:
    """One access of the script whose location the command's arguments fill in."""
    original: tuple  # key of the access as the scan first resolved it (see `access_key`)
    access: DataAccess


def access_key(access: DataAccess | tuple) -> tuple:
    """What identifies an access of a file across resolutions: (file, line, mode, api, expression)."""
    if isinstance(access, tuple):
        return access
    return access.file, access.line, access.mode, access.api, access.expression


def bind_arguments(run: Run, facts: dict[str, CodeFacts], index: ModuleIndex, helpers: Helpers,
                   depth: int) -> list[Bound]:
    """The script's accesses whose location holds one of its arguments, with the command's value in place."""
    fact = facts.get(run.script)
    if fact is None or not run.python:
        return []
    steps = fact.detected.get(STEPS)
    values = argument_values(run.args, steps if isinstance(steps, PipelineSteps) else None)
    if not values:
        return []
    raws = list(fact.accesses)
    for call in fact.call_sites:
        raws.extend(through_helper(run.script, call, helpers, facts, index, depth))
    bound = []
    for raw in raws:
        if raw.target != "path":
            continue
        filled = _fill(raw, values)
        if filled is None:
            continue
        value = resolve_value(filled, run.script, facts, index, depth)
        for access in declared_accesses(run.script, raw, value):
            bound.append(Bound((run.script, raw.line, raw.mode, raw.api, raw.expression), access))
    return bound


@dataclass(frozen=True, slots=True)
class ArgumentValue:
    value: Value
    function: str = ""  # click: only accesses inside this command function see it


def argument_values(args: tuple[str, ...], steps: PipelineSteps | None) -> dict[str, ArgumentValue]:
    """Hole text -> its value in this run: `sys.argv[1]`, `args.data` (for each name bound to parsed argparse
    arguments), a click parameter (inside its command function only)."""
    values = {f"sys.argv[{i}]": ArgumentValue((arg,)) for i, arg in enumerate(args, 1)}
    if steps is None:
        return values
    for api in ("argparse", "click"):
        declared = [a for a in steps.arguments if a.api == api]
        if not declared:
            continue
        given = _parse(args, declared)
        for argument in declared:
            value = given.get(argument.dest, argument.default)
            if value is None or not any(isinstance(p, str) for p in value):
                continue
            if api == "click":
                values[argument.dest] = ArgumentValue(value, argument.function)
            for namespace in steps.namespaces if api == "argparse" else ():
                values[f"{namespace}.{argument.dest}"] = ArgumentValue(value)
    return values


def _parse(args: tuple[str, ...], declared: list[ScriptArgument]) -> dict[str, Value]:
    """dest -> value given on the command line, as argparse or click would read these words. An argument that
    takes several values (`nargs="+"`) is a list, no location: it gets none, and positions after it are unknown."""
    options = {o: a for a in declared for o in a.options}
    positionals = [a for a in declared if not a.options]
    given: dict[str, Value] = {}
    words = list(args)
    matched = True  # False once a word cannot be read: positions after it are unknown
    while words:
        word = words.pop(0)
        name, _, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in options:
            argument = options[name]
            if argument.many:
                matched = False
            elif argument.takes_value and (inline or words):
                given[argument.dest] = (inline or words.pop(0),)
        elif word.startswith("-") and word != "-":
            matched = False  # an option this script does not declare (or a short-option cluster)
        elif matched and positionals:
            argument = positionals.pop(0)
            if argument.many:
                matched = False
            else:
                given[argument.dest] = (word,)
    return given


def _fill(raw: RawAccess, values: dict[str, ArgumentValue]) -> Value | None:
    """The access's value with the argument holes filled; None when it holds no argument."""
    parts: list = []
    filled = False
    for part in raw.value:
        found = _argument(part, raw, values) if isinstance(part, Hole) else None
        filled = filled or found is not None
        parts.extend(found.value if found is not None else (part,))
    return merge(parts) if filled else None


def _argument(hole: Hole, raw: RawAccess, values: dict[str, ArgumentValue]) -> ArgumentValue | None:
    text = "sys." + hole.text if hole.text.startswith("argv[") else hole.text  # `from sys import argv`
    found = values.get(text)
    if found is not None and found.function and raw.function != found.function \
            and not raw.function.startswith(found.function + "."):
        return None  # a click parameter's name, in another function
    return found


# -- declared accesses as the scan's data accesses ---------------------------------------------------
def declared_accesses(path: str, raw: RawAccess, value: Value) -> list[DataAccess]:
    """A declared (or argument-bound) access of `path` with its location: tables for SQL, else one location."""
    if raw.target == "sql":  # a run-time part as one name-like word, so that it cannot split a table's name
        read, written = tables(render_raw(tuple(
            Hole(re.sub(r"\W+", "_", p.text).strip("_") or "expr") if isinstance(p, Hole) else p for p in value)))
        return [DataAccess(file=path, line=raw.line, mode=mode, api=raw.api, location=table,
                           resolution="partial" if "{" in table else "resolved", expression=raw.expression,
                           artifact=artifact_id(table, "table")) for mode, names in (("read", read), ("write", written))
                for table in names]
    location, resolution = render(hub_or_path(value))
    if location is None:
        return []
    if raw.target == "table":
        location = "".join(p if isinstance(p, str) else "{…}" for p in value)
    return [DataAccess(file=path, line=raw.line, mode=raw.mode, api=raw.api, location=location, resolution=resolution,
                       expression=raw.expression, artifact=artifact_id(location, raw.target))]
