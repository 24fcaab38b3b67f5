"""Data accesses through helper functions: `read_dataframe("data/x.parquet")` where
read_dataframe reads its parameter. The access happens at the call, with the caller's
argument as the location (one level of helpers deep)."""

from collections import defaultdict

from mldebt_core.scan.collect.code_facts import CallSite, CodeFacts, ParamAccess, RawAccess
from mldebt_core.scan.collect.values import Hole, merge
from mldebt_core.scan.resolve.constants import resolve_value
from mldebt_core.scan.resolve.modules import ModuleIndex

Helpers = dict[tuple[str, str], list[ParamAccess]]  # (file, function) -> what it reads/writes through a parameter


def helper_functions(facts: dict[str, CodeFacts]) -> Helpers:
    helpers: Helpers = defaultdict(list)
    for path, fact in facts.items():
        for param_access in fact.param_accesses:
            helpers[path, param_access.function].append(param_access)
    return helpers


def through_helper(path: str, call: CallSite, helpers: Helpers, facts: dict[str, CodeFacts], index: ModuleIndex,
                   depth: int) -> list[RawAccess]:
    """The accesses a call makes through the helpers it calls, their values resolved with the caller's arguments."""
    if call.bound is None:
        home = path
    else:
        module = index.resolve(path, call.bound.module, call.bound.level)
        home = module.path if module else None
    out = []
    for summary in helpers.get((home, call.bound.name if call.bound else call.callee), []):
        arg = (call.args[summary.position] if summary.position is not None and summary.position < len(call.args)
               else next(((v, t) for k, v, t in call.kwargs if k == summary.param), None))
        if arg is None:
            continue
        argument, expression = arg
        template = resolve_value(summary.access.value, home, facts, index, depth)
        value = merge(part for p in template for part in (
            resolve_value(argument, path, facts, index, depth) if p == Hole(summary.param) else (p,)))
        out.append(RawAccess(call.line, summary.access.mode, f"{summary.access.api} via {call.callee}()", value,
                             expression, summary.access.target, call.function))
    return out
