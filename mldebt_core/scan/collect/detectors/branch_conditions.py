"""Branch conditions over module-level flags, for dead experimental codepaths (§ 5).

`compact_condition` turns an `if`/`while` test into a compact, picklable tuple whose leaves are the
names it may test as flags; `map_leaves` resolves those names to where they are bound once
the module is read; `body_span`/`else_span` are the lines that never run when the test is
always false or always true. `analyse/dead_code.py` evaluates them over the repository.
"""

import ast

_COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
_UNKNOWN = ("?",)


def body_span(node: ast.If | ast.While) -> tuple[int, int]:
    """Lines of the body: from the line after the condition (comments there belong to it) to its end."""
    first = node.body[0]
    start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
    return min(start, node.test.end_lineno + 1), node.body[-1].end_lineno


def else_span(node: ast.If | ast.While) -> tuple[int, int] | None:
    """Lines of the else branch, its `else:` / `elif` line included, or None without one."""
    return (node.body[-1].end_lineno + 1, node.orelse[-1].end_lineno) if node.orelse else None


def is_main_guard(test: ast.AST) -> bool:
    return (test.__class__ is ast.Compare and test.left.__class__ is ast.Name and test.left.id == "__name__"
            and len(test.comparators) == 1 and test.comparators[0].__class__ is ast.Constant
            and test.comparators[0].value == "__main__")


def compact_condition(test: ast.AST, leaf) -> tuple | None:
    """A compact, picklable form of a branch condition over flags, or None when it tests no flag.

    ("leaf", L) | ("not", C) | ("and"|"or", (C, …)) | ("cmp", L, op, literal) | _UNKNOWN.
    """
    if (found := leaf(test)) is not None:
        return ("leaf", found)
    cls = test.__class__
    if cls is ast.UnaryOp and test.op.__class__ is ast.Not:
        inner = compact_condition(test.operand, leaf)
        return None if inner is None else ("not", inner)
    if cls is ast.BoolOp:
        parts = [compact_condition(v, leaf) for v in test.values]
        if all(p is None for p in parts):
            return None
        return ("and" if test.op.__class__ is ast.And else "or", tuple(p or _UNKNOWN for p in parts))
    if cls is ast.Compare and len(test.ops) == 1 and (op := _COMPARISONS.get(test.ops[0].__class__)):
        left, right = test.left, test.comparators[0]
        if op in ("==", "!=") and (found := leaf(right)) is not None:
            left, right = right, left
        if (found := leaf(left)) is not None and (literal := _literal(right)) is not _UNKNOWN:
            return ("cmp", found, op, literal)
    return None


def _literal(node: ast.AST):
    if node.__class__ is ast.Constant:
        return node.value
    if node.__class__ in (ast.Tuple, ast.List, ast.Set) and all(e.__class__ is ast.Constant for e in node.elts):
        return tuple(e.value for e in node.elts)
    return _UNKNOWN


def map_leaves(condition: tuple, resolve) -> tuple | None:
    """The condition with each leaf resolved to where its name is bound; None if no leaf resolves."""
    kind = condition[0]
    if kind == "leaf":
        found = resolve(condition[1])
        return None if found is None else ("leaf", found)
    if kind == "cmp":
        found = resolve(condition[1])
        return None if found is None else ("cmp", found, condition[2], condition[3])
    if kind == "not":
        inner = map_leaves(condition[1], resolve)
        return None if inner is None else ("not", inner)
    if kind in ("and", "or"):
        parts = [map_leaves(p, resolve) for p in condition[1]]
        return None if all(p is None for p in parts) else (kind, tuple(p or _UNKNOWN for p in parts))
    return None
