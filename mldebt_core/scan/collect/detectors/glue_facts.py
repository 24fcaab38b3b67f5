"""Per-file facts for glue code (§ 5), collected on the scanner's one AST walk: how many
statement lines a file has, and how many of them only call ML/data packages or convert
formats. `analyse/glue.py` judges the shares.

A statement line is glue when it calls into an ML/data package (`np.`, `pd.`,
`torch.`, a name imported from sklearn…) or a format conversion (`astype`,
`reshape`, `to_numpy`, `json.dumps`, `DataFrame(...)`…) and calls nothing else.
"""

import ast
from dataclasses import dataclass

from mldebt_core.scan.collect.packages import ML_PACKAGES
from mldebt_core.scan.collect.values import Ref

CONVERSIONS = frozenset({
    "astype", "reshape", "to_numpy", "tolist", "to_list", "to_dict", "from_dict", "to_records", "from_records",
    "to_frame", "ravel", "flatten", "squeeze", "unsqueeze", "transpose", "numpy", "cpu", "detach", "values",
    "dumps", "loads", "DataFrame", "Series", "array", "asarray", "tensor", "from_numpy", "stack", "hstack",
    "vstack", "concatenate", "concat", "reset_index", "set_index", "rename", "expand_dims", "to_tensor",
    "to_pandas", "from_pandas", "to_arrow", "to_json", "read_json", "fillna", "get_dummies",
})
NEUTRAL_CALLS = frozenset({"len", "range", "list", "dict", "tuple", "set", "int", "float", "str", "bool", "zip",
                           "enumerate", "sorted", "isinstance", "print", "min", "max", "sum", "abs", "round"})
SIMPLE_STATEMENTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)


@dataclass(frozen=True, slots=True)
class GlueFacts:
    statements: int
    glue: int


class GlueCollector:
    def __init__(self, ctx):
        self.ctx = ctx
        self.statement_lines: set[int] = set()
        self.glue_lines: set[int] = set()
        self.domain_lines: set[int] = set()

    def hooks(self):
        hooks = {cls: self.statement for cls in SIMPLE_STATEMENTS}
        hooks[ast.Call] = self.call
        return hooks

    def statement(self, node: ast.stmt) -> None:
        self.statement_lines.add(node.lineno)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            glue = func.attr in CONVERSIONS or (isinstance(root, ast.Name) and self._from_ml_package(root.id))
        elif isinstance(func, ast.Name):
            if func.id in NEUTRAL_CALLS:
                return
            glue = func.id in CONVERSIONS or self._from_ml_package(func.id)
        else:
            glue = False
        (self.glue_lines if glue else self.domain_lines).add(node.lineno)

    def _from_ml_package(self, name: str) -> bool:
        bound = self.ctx.lookup(name)
        return isinstance(bound, Ref) and bound.level == 0 and bound.module.split(".")[0] in ML_PACKAGES

    def result(self) -> GlueFacts:
        glue = (self.glue_lines - self.domain_lines) & self.statement_lines
        return GlueFacts(len(self.statement_lines), len(glue))
