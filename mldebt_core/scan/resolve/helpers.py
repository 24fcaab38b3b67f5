"""Data accesses through helper functions: `read_dataframe("data/x.parquet")` where
read_dataframe reads its parameter, or `save_json(data, "out.json", "results")` where
save_json writes `os.path.join(folder, name)`. The access happens at the call, with the
caller's arguments in place of the parameters (one level of helpers deep)."""

from collections import defaultdict

from mldebt_core.scan.collect.code_facts import CallSite, CodeFacts, ParamAccess, RawAccess
from mldebt_core.scan.collect.values import Hole, merge
from mldebt_core.scan.resolve.constants import resolve_value
from mldebt_core.scan.resolve.modules import ModuleIndex

Helpers = dict[tuple[str, str], list[ParamAccess]]  # (file, function) -> what it reads/writes through parameters


def helper_functions(facts: dict[str, CodeFacts]) -> Helpers:
    helpers: Helpers = defaultdict(list)
    for path, fact in facts.items():
        for param_access in fact.param_accesses:
            helpers[path, param_access.function].append(param_access)
    return helpers


def through_helper(path: str, call: CallSite, helpers: Helpers, facts: dict[str, CodeFacts], index: ModuleIndex,
                   depth: int) -> list[RawAccess]:
    """The accesses a call makes through the helpers it calls, their values resolved with the caller's arguments."""
    home, name = _callee(path, call, index)
    out = []
    for summary in helpers.get((home, name), []) if home else []:
        arguments = {param: _argument(call, param, position) for param, position in summary.params}
        if not any(arguments.values()):
            continue  # none of the location's parameters is known at this call
        template = resolve_value(summary.access.value, home, facts, index, depth)
        value = merge(part for p in template for part in (
            resolve_value(arguments[p.text][0], path, facts, index, depth)
            if isinstance(p, Hole) and arguments.get(p.text) else (p,)))
        expression = ", ".join(a[1] for a in arguments.values() if a)
        out.append(RawAccess(call.line, summary.access.mode, f"{summary.access.api} via {call.callee}()", value,
                             expression, summary.access.target, call.function,
                             summary.access.predicted or (call.predicted and summary.access.mode == "write")))
    return out


def _callee(path: str, call: CallSite, index: ModuleIndex) -> tuple[str | None, str]:
    """(file defining the called function, its name); None when it is not a module of this repository."""
    if call.bound is None:
        return path, call.callee
    bound = call.bound
    if call.attribute_of:  # `utils.save_model(...)`: `utils` is `import pkg.utils` or `from pkg import utils`
        module = (index.resolve_from(path, bound.module, bound.level, bound.name) if bound.name
                  else index.resolve(path, bound.module, bound.level))
        return (module.path if module else None), call.callee
    module = index.resolve(path, bound.module, bound.level)
    return (module.path if module else None), bound.name


def _argument(call: CallSite, param: str, position: int | None):
    if position is not None and position < len(call.args):
        return call.args[position]
    return next(((v, t) for k, v, t in call.kwargs if k == param), None)
