"""Imported constants in data-access locations: `pd.read_csv(DATA_DIR / "x.csv")` where
DATA_DIR comes from another module of the repository."""

from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.values import Hole, Ref, Value, merge
from mldebt_core.scan.resolve.modules import ModuleIndex


def resolve_value(value: Value, importer: str, facts: dict[str, CodeFacts], index: ModuleIndex, depth: int) -> Value:
    """Replace each Ref (a name imported from another module) with that module's constant, if known."""
    if depth <= 0 or not any(isinstance(p, Ref) for p in value):
        return value
    out: list = []
    for part in value:
        if not isinstance(part, Ref):
            out.append(part)
            continue
        target = index.resolve(importer, part.module, part.level)
        constant = facts[target.path].constants.get(part.name) if target and target.path in facts else None
        if constant is None:
            out.append(Hole(f"{part.module}.{part.name}".lstrip(".") if part.name else part.module))
        else:
            out.extend(resolve_value(constant, target.path, facts, index, depth - 1))
    return merge(out)
