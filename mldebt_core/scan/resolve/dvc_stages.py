"""DVC stages as data accesses of the code they run.

A stage `train` with `cmd: python src/train.py data/features model.pkl`, `deps: [data/features]` and
`outs: [model.pkl]` makes src/train.py a reader of data/features and the writer of model.pkl, even when
the script only ever sees `sys.argv`. The script's own accesses get the command's arguments in place of
`sys.argv[N]`, argparse options and click parameters (`script_runs`); the stage's declared paths become
accesses of the script (api `dvc.deps`, `dvc.outs`, `dvc.metrics`, `dvc.plots`) unless its code already
reads or writes exactly that path. A declared path is placed at the line where the script takes it as an
argument or first touches it, else at its `__main__` guard.

A stage whose commands run no code file of the repository, or several (`python a.py && python b.py`:
which one reads what is unknown), declares nothing here. Code files and code folders among the deps (the
script itself, `src/`) are not data. `${key}` left in a path is read from the params.yaml beside dvc.yaml,
or stays a run-time hole.
"""

import json
import posixpath
import re
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CodeFacts, RawAccess
from mldebt_core.scan.collect.detectors.config_files import ParsedConfig
from mldebt_core.scan.collect.detectors.pipeline_declarations import DvcPipeline, DvcStage, StagePath
from mldebt_core.scan.collect.detectors.pipeline_steps import PipelineSteps
from mldebt_core.scan.collect.values import Hole, Value, merge
from mldebt_core.scan.resolve.helpers import Helpers
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

DECLARATIONS = "pipeline_declarations"  # the text detector's name in TEXT_DETECTORS
_INTERPOLATION = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_MODES = {"deps": "read", "outs": "write", "metrics": "write", "plots": "write"}


@dataclass(frozen=True, slots=True)
class StageAccesses:
    stage: str  # `dvc.yaml:train`: what binds these accesses (a read and a write of one stage never loop)
    bound: list[Bound]
    declared: list[DataAccess]
    consumers: list[tuple[str, str]]  # (location, code file): the stage declares that its script reads it


def dvc_stage_accesses(facts: dict[str, CodeFacts], scanned: dict[str, list[DataAccess]], files: frozenset[str],
                       code_files: frozenset[str], index: ModuleIndex, helpers: Helpers,
                       depth: int) -> list[StageAccesses]:
    """Per stage of every dvc.yaml: its script's argument-bound accesses and the stage's declared paths.
    `scanned` holds each file's accesses as the scan resolved them from its code."""
    out = []
    for path in sorted(facts):
        pipeline = facts[path].detected.get(DECLARATIONS)
        if not isinstance(pipeline, DvcPipeline):
            continue
        params = _params(facts, pipeline.folder)
        for stage in pipeline.stages:
            runs = [run for command in stage.commands
                    for run in runs_of(_filled(command, params), stage.wdir, files, index)]
            bound = [b for run in runs for b in bind_arguments(run, facts, index, helpers, depth)]
            scripts = {run.script for run in runs}
            if len(scripts) != 1:  # no code of this repository, or several scripts: which one reads what is unknown
                out.append(StageAccesses(f"{path}:{stage.name}", bound, [], []))
                continue
            script = scripts.pop()
            originals = {b.original for b in bound}
            own = [b.access for b in bound] + [a for a in scanned.get(script, []) if access_key(a) not in originals]
            out.append(_stage_accesses(f"{path}:{stage.name}", path, stage, script, bound, own, pipeline.reports,
                                       params, facts.get(script), code_files))
    return out


def _stage_accesses(binding: str, dvc_file: str, stage: DvcStage, script: str, bound: list[Bound],
                    own: list[DataAccess], reports: tuple[str, ...], params: dict[str, object],
                    fact: CodeFacts | None, code_files: frozenset[str]) -> StageAccesses:
    """The stage's declared paths as accesses of its one script (unless its code touches exactly that path)."""
    touched = {(a.mode, a.artifact) for a in own}
    declared, consumers = [], []
    for stage_path in stage.paths:
        if _is_code(stage_path.path, code_files) or _is_report(stage_path, reports):
            continue
        where = f"{dvc_file}:{stage_path.line} {stage.name}.{stage_path.section}"
        raw = RawAccess(stage_path.line, _MODES[stage_path.section], f"dvc.{stage_path.section}",
                        _value(stage_path.path, stage.wdir, params), where)
        for access in declared_accesses(script, raw, raw.value):
            if access.mode == "read" and access.location:
                consumers.append((access.location, script))
            if (access.mode, access.artifact) not in touched:
                declared.append(access.model_copy(update={"line": _line(access, bound, own, fact)}))
    return StageAccesses(binding, bound, declared, consumers)


def _is_code(path: str, code_files: frozenset[str]) -> bool:
    """The script itself, other code files, and folders holding code (`src`): a stage's code, not its data."""
    prefix = path.rstrip("/") + "/"
    return path in code_files or any(f.startswith(prefix) for f in code_files)


def _is_report(stage_path: StagePath, reports: tuple[str, ...]) -> bool:
    """Metrics and plots are reports for DVC's UI, not data of the pipeline (nor predictions to monitor); so is
    an output folder that holds the file's declared metrics and plots (`outs: [eval]`, `metrics: [eval/m.json]`)."""
    if stage_path.section in ("metrics", "plots"):
        return True
    prefix = stage_path.path.rstrip("/") + "/"
    return stage_path.section == "outs" and any(r == stage_path.path or r.startswith(prefix) for r in reports)


def _line(access: DataAccess, bound: list[Bound], own: list[DataAccess], fact: CodeFacts | None) -> int:
    """Where the script takes this path: its first access of that path, a file under it, or a file of that name
    under a run-time folder (with the command's arguments in place first), else its `__main__` guard, else its
    first line."""
    location = access.location or ""

    def under(other: DataAccess) -> bool:
        found = other.location or ""
        return other.mode == access.mode and (
            found == location or found.startswith(location.rstrip("/") + "/")
            or (found.startswith("{") and found.endswith("/" + posixpath.basename(location))))  # `{cwd}/data/x.pkl`

    for other in [b.access for b in bound] + own:
        if under(other):
            return other.line
    steps = fact.detected.get(STEPS) if fact is not None else None
    if isinstance(steps, PipelineSteps) and steps.main_line:
        return steps.main_line
    return 1


def _params(facts: dict[str, CodeFacts], folder: str) -> dict[str, object]:
    """Scalars of the params.yaml beside dvc.yaml (its default `vars`), by dotted key."""
    parsed = facts.get(posixpath.join(folder, "params.yaml") if folder else "params.yaml")
    config = parsed.detected.get("config_files") if parsed is not None else None
    if not isinstance(config, ParsedConfig):
        return {}
    out = {}
    for setting in config.settings:
        value = json.loads(setting.value)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out[setting.key] = value
    return out


def _filled(text: str, params: dict[str, object]) -> str:
    return _INTERPOLATION.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), text)


def _value(path: str, wdir: str, params: dict[str, object]) -> Value:
    """A declared path as a value: `${key}` from params.yaml, else a hole known only when DVC runs. A path
    that starts with `${…}` is placed in the stage's folder once filled (collect could not tell)."""
    parts: list = []
    for i, piece in enumerate(_INTERPOLATION.split(path)):
        if i % 2 == 0:
            parts.append(piece)
        else:
            parts.append(str(params[piece]) if piece in params else Hole(piece))
    value = merge(p for p in parts if p != "")
    if path.startswith("${") and wdir and value and isinstance(value[0], str) \
            and not value[0].startswith("/") and "://" not in value[0]:
        value = merge((wdir + "/",) + value)
    return value
