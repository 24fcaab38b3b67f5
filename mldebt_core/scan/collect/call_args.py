"""Reading a call's arguments, shared by the collectors of client calls (collect/remote_io.py,
collect/registries.py)."""

import ast


def argument(node: ast.Call, position: int | None, *names: str) -> ast.AST | None:
    """The argument named one of `names`, else the one at `position` (stars skipped), else None."""
    for keyword in node.keywords:
        if keyword.arg in names:
            return keyword.value
    args = [a for a in node.args if not isinstance(a, ast.Starred)]
    return args[position] if position is not None and position < len(args) else None


def literal_text(ctx, node: ast.AST | None) -> str | None:
    """The argument as a literal string, when it is one (through names and constants)."""
    if node is None:
        return None
    value = ctx.evaluator.value(node)
    return value[0] if len(value) == 1 and isinstance(value[0], str) else None


def expressions(*nodes: ast.AST | None) -> str:
    """The source of the given arguments, each cut at 60 characters: an access's expression."""
    return ", ".join(ast.unparse(n)[:60] for n in nodes if n is not None)
