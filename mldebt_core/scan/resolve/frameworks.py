"""What pipeline frameworks declare, joined into the scan's data accesses so the lineage connects steps
that never open a file themselves.

- DVC stages (`dvc_stages`) and Kedro nodes (`kedro_nodes`): reads and writes of the code they run;
- operators and components that name their data in code (Airflow, TFX, Metaflow `IncludeFile`): accesses
  of the declaring file at the declaration's line;
- commands a DAG runs (`BashOperator`): the command's own downloads and copies, and the repository scripts
  it runs with their arguments bound (`script_runs`);
- callables a DAG calls with arguments (`PythonOperator(python_callable=f, op_kwargs=…)`): a call of `f`,
  read through the helper summaries like any call.

A stage's `deps` and a node's catalog inputs also declare who consumes an artifact: those readers are
declared consumers (like `[tool.mldebt.consumers]`), whatever line of their code does the reading.

An access whose location a run's argument fills in replaces the one the scan resolved without it (one copy
per run). A read added for one stage or node is dropped when another stage or node of the same file writes
that artifact: nodes in one nodes.py, or one script run by two stages, would otherwise show a file reading
its own output, a loop of the file graph that is no loop of the pipeline.
"""

import glob
import re
from collections import defaultdict
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors.pipeline_steps import PipelineSteps
from mldebt_core.scan.collect.file_facts import FileResult
from mldebt_core.scan.collect.shell import analyse_shell
from mldebt_core.scan.collect.values import Hole, Value, merge, render_raw
from mldebt_core.scan.collect.walk import PROGRAMMING_LANGUAGES
from mldebt_core.scan.resolve.accesses import relative_to_notebook
from mldebt_core.scan.resolve.constants import resolve_value
from mldebt_core.scan.resolve.dvc_stages import dvc_stage_accesses
from mldebt_core.scan.resolve.helpers import Helpers, helper_functions, through_helper
from mldebt_core.scan.resolve.kedro_nodes import kedro_node_accesses
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.resolve.script_runs import (
    STEPS,
    Bound,
    access_key,
    bind_arguments,
    declared_accesses,
    runs_of,
)
from mldebt_core.scan.schema import DataAccess
from mldebt_core.settings import ScanSettings

FRAMEWORK_APIS = ("dvc.", "kedro", "airflow.", "tfx.", "metaflow.")  # the apis of the accesses a framework declares
_RENDERED_HOLE = re.compile(r"\{([^{}]*)\}")

Binding = tuple[str, DataAccess]  # (what declares it: a stage, a node, a call site; the access)


@dataclass(frozen=True)
class Declarations:
    accesses: list[DataAccess]  # the scan's accesses with the frameworks' added, by file
    consumers: dict[str, list[str]]  # artifact location glob -> code path globs, as `[tool.mldebt.consumers]`


def declared_by_framework(api: str) -> bool:
    """An access a pipeline framework declares (a DVC stage's path, a Kedro dataset, an operator's argument)."""
    return api.startswith(FRAMEWORK_APIS)


def framework_declarations(accesses: list[DataAccess], results: list[FileResult], facts: dict[str, CodeFacts],
                           index: ModuleIndex, settings: ScanSettings) -> Declarations:
    """What pipeline frameworks declare: the accesses it adds to (or binds in) `accesses`, and its consumers."""
    depth = settings.value_resolution_depth
    files = frozenset(r.path for r in results)
    code_files = frozenset(r.path for r in results if r.language in PROGRAMMING_LANGUAGES)
    helpers = helper_functions(facts)
    added: list[Binding] = []
    replaced: set[tuple] = set()
    consumers: dict[str, list[str]] = defaultdict(list)

    def bind(binding: str, bound: list[Bound]) -> None:
        replaced.update(b.original for b in bound)
        added.extend((binding, b.access) for b in bound)

    scanned: dict[str, list[DataAccess]] = defaultdict(list)
    for access in accesses:
        scanned[access.file].append(access)
    for stage in dvc_stage_accesses(facts, scanned, files, code_files, index, helpers, depth):
        bind(stage.stage, stage.bound)
        added.extend((stage.stage, a) for a in stage.declared)
        _declare(consumers, stage.consumers)
    for node in kedro_node_accesses(facts, index):
        added.extend((node.node, a) for a in node.accesses)
        _declare(consumers, [(a.location, a.file) for a in node.accesses if a.mode == "read" and a.location])
    for path in sorted(facts):
        steps = facts[path].detected.get(STEPS)
        if isinstance(steps, PipelineSteps):
            for binding, access, bound in _in_code(path, steps, facts, files, index, helpers, depth):
                if bound is not None:
                    bind(binding, bound)
                else:  # a notebook runs in its own folder
                    added.append((binding, relative_to_notebook(access) if path.endswith(".ipynb") else access))
    kept = [a for a in accesses if access_key(a) not in replaced]
    return Declarations(_merged(kept, _no_self_reads(added)), dict(consumers))


def _merged(kept: list[DataAccess], added: list[DataAccess]) -> list[DataAccess]:
    """By file; within a file the scan's own order, each added access placed by its line."""
    scanned: dict[str, list[DataAccess]] = defaultdict(list)
    extra: dict[str, list[DataAccess]] = defaultdict(list)
    for access in kept:
        scanned[access.file].append(access)
    for access in sorted(added, key=lambda a: a.line):
        extra[access.file].append(access)
    out: list[DataAccess] = []
    for file in sorted(scanned.keys() | extra.keys()):
        pending, next_one = extra[file], 0
        for access in scanned[file]:
            while next_one < len(pending) and pending[next_one].line < access.line:
                out.append(pending[next_one])
                next_one += 1
            out.append(access)
        out.extend(pending[next_one:])
    return out


def _declare(consumers: dict[str, list[str]], reads: list[tuple[str, str]]) -> None:
    """A declared input covers the files under it too (`deps: [data/features]` → data/features/train.pkl)."""
    for location, reader in reads:
        for pattern in (glob.escape(location), glob.escape(location.rstrip("/")) + "/*"):
            if glob.escape(reader) not in consumers[pattern]:
                consumers[pattern].append(glob.escape(reader))


def _in_code(path: str, steps: PipelineSteps, facts: dict[str, CodeFacts], files: frozenset[str],
             index: ModuleIndex, helpers: Helpers, depth: int):
    """(binding, access, None) for each declared access of this file; (binding, None, bound) for a script run."""
    for raw in steps.declared:
        for access in declared_accesses(path, raw, resolve_value(raw.value, path, facts, index, depth)):
            yield f"{path}:{raw.line}", access, None
    for command in steps.commands:
        text = render_raw(resolve_value(command.text, path, facts, index, depth))
        binding = f"{path}:{command.line}"
        shell, _ = analyse_shell(text)
        for found in shell:
            raw = RawAccess(command.line, found.mode, f"{command.api} {found.api}", _holes(found.location),
                            found.location)
            for access in declared_accesses(path, raw, raw.value):
                yield binding, access, None
        for run in runs_of(text, "", files, index):
            yield binding, None, bind_arguments(run, facts, index, helpers, depth)
    for call in steps.calls:
        for raw in through_helper(path, call, helpers, facts, index, depth):
            for access in declared_accesses(path, raw, raw.value):
                yield f"{path}:{call.line}", access, None


def _holes(text: str) -> Value:
    """A rendered location back to a value: `{expr}` (a run-time part) is a hole again."""
    return merge(Hole(piece) if i % 2 else piece for i, piece in enumerate(_RENDERED_HOLE.split(text)) if piece)


def _no_self_reads(added: list[Binding]) -> list[DataAccess]:
    writes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for binding, access in added:
        if access.mode == "write" and access.artifact:
            writes[access.file, access.artifact].add(binding)
    return [access for binding, access in added
            if access.mode != "read" or not writes.get((access.file, access.artifact or ""), set()) - {binding}]
