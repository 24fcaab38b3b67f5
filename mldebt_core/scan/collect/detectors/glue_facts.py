"""Per-file facts for glue code (§ 5), collected on the scanner's one AST walk: how many
statement lines a file has, and how many of them only call ML/data packages or convert
formats. `analyse/glue.py` judges the shares.

A statement line is glue when it calls into an ML/data package (`np.`, `pd.`,
`torch.`, a name imported from sklearn…) or a format conversion (`astype`,
`reshape`, `to_numpy`, `json.dumps`, `DataFrame(...)`…) and calls nothing else.
Each glue line keeps the packages it calls: in a repository that *is* one of those
packages (pandera's own `pandera.` calls), the analysis counts them as its own logic.
Calls of pipeline orchestrators (a TFX, KFP or Airflow pipeline declares its steps)
and of plotting libraries (a chart is presentation) are the code's own logic too.
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


NOT_GLUE_PACKAGES = frozenset({"tfx", "kfp", "airflow", "prefect", "dagster", "metaflow", "zenml", "kedro",
                               "flytekit", "matplotlib", "seaborn", "plotly"})


@dataclass(frozen=True, slots=True)
class GlueFacts:
    statements: int
    glue: int  # glue lines, counting every ML/data package as foreign
    packages: tuple[tuple[str, ...], ...] = ()  # per glue line, the packages it calls (none: conversions only)

    def glue_lines(self, own: frozenset[str]) -> int:
        """Glue lines when calls into `own` (the repository's own top-level packages) are its own logic."""
        return sum(1 for used in self.packages if own.isdisjoint(used)) if own else self.glue


class GlueCollector:
    def __init__(self, ctx):
        self.ctx = ctx
        self.statement_lines: set[int] = set()
        self.glue_lines: set[int] = set()
        self.domain_lines: set[int] = set()
        self.line_packages: dict[int, set[str]] = {}

    def hooks(self):
        hooks = {cls: self.statement for cls in SIMPLE_STATEMENTS}
        hooks[ast.Call] = self.call
        return hooks

    def statement(self, node: ast.stmt) -> None:
        self.statement_lines.add(node.lineno)

    def call(self, node: ast.Call) -> None:
        func = node.func
        package = None
        if isinstance(func, ast.Attribute):
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            package = self._ml_package(root.id) if isinstance(root, ast.Name) else None
            glue = func.attr in CONVERSIONS or package is not None
        elif isinstance(func, ast.Name):
            if func.id in NEUTRAL_CALLS:
                return
            package = self._ml_package(func.id)
            glue = func.id in CONVERSIONS or package is not None
        else:
            glue = False
        if package in NOT_GLUE_PACKAGES:
            glue = False
        (self.glue_lines if glue else self.domain_lines).add(node.lineno)
        if glue and package is not None:
            self.line_packages.setdefault(node.lineno, set()).add(package)

    def _ml_package(self, name: str) -> str | None:
        bound = self.ctx.lookup(name)
        if isinstance(bound, Ref) and bound.level == 0 and (top := bound.module.split(".")[0]) in ML_PACKAGES:
            return top
        return None

    def result(self) -> GlueFacts:
        glue = sorted((self.glue_lines - self.domain_lines) & self.statement_lines)
        packages = tuple(tuple(sorted(self.line_packages.get(line, ()))) for line in glue)
        return GlueFacts(len(self.statement_lines), len(glue), packages)
