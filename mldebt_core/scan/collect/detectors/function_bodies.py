"""Per-file facts for the prototype smell (§ 5), collected on the scanner's one AST walk:
a fingerprint of every function body, so that `analyse/prototype.py` can find production
functions copied from a notebook or a scratch folder.
"""

import ast
import hashlib
import re
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FunctionBody:
    name: str
    line: int
    lines: int
    digest: str  # of the body's text with whitespace and comments-free layout normalised


class BodyCollector:
    """Fingerprints function bodies from the source text (cheap: no second walk of the tree)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.bodies: list[FunctionBody] = []

    def hooks(self):
        return {ast.FunctionDef: self.function, ast.AsyncFunctionDef: self.function}

    def function(self, node: ast.FunctionDef) -> None:
        start, end = node.body[0].lineno, node.end_lineno or node.lineno
        if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            start = node.body[0].end_lineno + 1  # a docstring is not behaviour
        if end - start + 1 < 2:
            return
        text = "\n".join(line.split("#", 1)[0] for line in self.ctx.source_lines[start - 1:end])
        digest = hashlib.sha1(_SPACE.sub(" ", text).strip().encode()).hexdigest()[:16]
        self.bodies.append(FunctionBody(node.name, node.lineno, end - start + 1, digest))

    def result(self) -> tuple[FunctionBody, ...]:
        return tuple(self.bodies)
