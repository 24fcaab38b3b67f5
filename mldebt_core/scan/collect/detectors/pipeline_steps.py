"""Data that pipeline frameworks declare in Python code, collected on the scanner's one AST walk.

- Kedro `node(func, inputs=…, outputs=…)`: the function a node runs and the dataset names it reads
  and writes (the catalog, in YAML, says where those datasets live).
- Operators and components whose arguments name data (Airflow, TFX, Metaflow; read by
  `pipeline_operators.py`): accesses of this file at the declaration's line, as `RawAccess`es.
- Commands a DAG runs (`BashOperator(bash_command=…)`) and callables it calls with arguments
  (`PythonOperator(python_callable=f, op_kwargs=…)`).
- How this file, run as a script, takes its arguments (argparse, click), its module-level functions and its
  `__main__` guard: where a DVC stage's command or a Kedro node binds to this file's code.

Only what the framework's own import makes unambiguous is kept; values are evaluated statically (a name
the code cannot pin down stays a hole). `resolve/frameworks.py` binds these across files.
"""

import ast
from dataclasses import dataclass

from mldebt_core.scan.collect.code_facts import CallSite, RawAccess
from mldebt_core.scan.collect.detectors.pipeline_operators import OPERATORS, OperatorReader, items, keyword, templates
from mldebt_core.scan.collect.values import Ref, Value, source_text

FRAMEWORKS = ("kedro", "airflow", "tfx", "metaflow")
_NO_VALUE_ACTIONS = frozenset({"store_true", "store_false", "store_const", "count", "help", "version",
                               "append_const", "BooleanOptionalAction"})

_COMMANDS = frozenset({"BashOperator"})
_CALLABLES = frozenset({"PythonOperator", "PythonVirtualenvOperator", "ExternalPythonOperator",
                        "BranchPythonOperator", "ShortCircuitOperator"})
_KEDRO_NODES = frozenset({"node", "Node"})
_KEDRO_PIPELINES = frozenset({"pipeline", "Pipeline"})
_PARSERS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_CALLS = frozenset({*OPERATORS, *_COMMANDS, *_CALLABLES, *_KEDRO_NODES, *_KEDRO_PIPELINES, "add_argument"})
@dataclass(frozen=True, slots=True)
class Callee:
    """A function named in code: `ref` is the import it comes through (None: defined in this file)."""
    ref: Ref | None
    function: str  # its name in the module that defines it ('' for `from m import f`: the Ref's name)


@dataclass(frozen=True, slots=True)
class KedroNode:
    line: int
    callee: Callee
    inputs: tuple[str, ...]  # dataset names, `params:` entries included (the catalog tells them apart)
    outputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScriptArgument:
    """One command-line argument this file takes: argparse (`args.<dest>`) or click (parameter `dest`)."""
    api: str  # "argparse" | "click"
    options: tuple[str, ...]  # `--data`, `-d`; () for a positional argument
    dest: str
    takes_value: bool
    many: bool  # nargs `*`, `+` or a count: positionals after it cannot be matched
    default: Value | None
    function: str  # click: the command function whose parameter it is


@dataclass(frozen=True, slots=True)
class Command:
    line: int
    api: str
    text: Value  # the shell command, evaluated statically


@dataclass(frozen=True, slots=True)
class PipelineSteps:
    functions: tuple[tuple[str, int], ...]  # module-level functions and their `def` lines
    main_line: int | None  # the `if __name__ == "__main__":` guard
    arguments: tuple[ScriptArgument, ...]
    namespaces: frozenset[str]  # names bound to parsed arguments (`args = parser.parse_args()`)
    nodes: tuple[KedroNode, ...]
    namespaced: bool  # a Kedro `pipeline(…, namespace=…)` here renames its nodes' datasets (`ns.regressor`)
    declared: tuple[RawAccess, ...]  # accesses that operators and components declare at their call
    commands: tuple[Command, ...]
    calls: tuple[CallSite, ...]  # a callable an operator calls, with the arguments it passes


class PipelineStepCollector:
    """Hooks on calls of a framework's names, module-level defs and the `__main__` guard; cheap on other nodes."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.operators = OperatorReader(ctx)
        self.functions: list[tuple[str, int]] = []
        self.main_line: int | None = None
        self.arguments: list[ScriptArgument] = []
        self.namespaces: set[str] = set()
        self.nodes: list[KedroNode] = []
        self.namespaced = False
        self.declared: list[RawAccess] = []
        self.commands: list[Command] = []
        self.calls: list[CallSite] = []

    def hooks(self):
        return {ast.Call: self.call, ast.FunctionDef: self.function, ast.AsyncFunctionDef: self.function,
                ast.If: self.guard, ast.Assign: self.assign}

    def result(self) -> PipelineSteps:
        return PipelineSteps(tuple(self.functions), self.main_line, tuple(self.arguments), frozenset(self.namespaces),
                             tuple(self.nodes), self.namespaced, tuple(self.declared), tuple(self.commands),
                             tuple(self.calls))

    # -- script structure ------------------------------------------------------------------------------
    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.ctx.function_names:
            self.functions.append((node.name, node.lineno))
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) \
                    and decorator.func.attr in ("option", "argument") and self._origin(decorator.func) == "click":
                self._click(decorator, node.name)

    def assign(self, node: ast.Assign) -> None:
        """`args = parser.parse_args()`, `args, rest = parser.parse_known_args()`: where the arguments live."""
        value = node.value
        if value.__class__ is not ast.Call:
            return
        func = value.func
        if (func.attr if func.__class__ is ast.Attribute else func.id if func.__class__ is ast.Name else None) \
                not in _PARSERS:
            return
        for target in node.targets:
            first = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
            if isinstance(first, ast.Name):
                self.namespaces.add(first.id)

    def guard(self, node: ast.If) -> None:
        test = node.test
        if not self.ctx.function_names and isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) \
                and test.left.id == "__name__" and self.main_line is None:
            self.main_line = node.lineno

    # -- calls -----------------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name not in _CALLS:
            return
        if name == "add_argument":
            self._argparse(node)
            return
        origin = self._origin(func)
        if origin not in FRAMEWORKS:
            return
        if name in _KEDRO_NODES or name in _KEDRO_PIPELINES:
            if origin == "kedro" and name in _KEDRO_NODES:
                self._kedro_node(node)
            elif origin == "kedro" and keyword(node, "namespace") is not None:
                self.namespaced = True
        elif name in _COMMANDS:
            if (command := keyword(node, "bash_command")) is not None:
                self.commands.append(Command(node.lineno, f"{origin}.{name}", templates(self.operators.value(command))))
        elif name in _CALLABLES:
            self._callable(node)
        else:
            self.declared.extend(self.operators.accesses(node, name, f"{origin}.{name}"))

    def _origin(self, func: ast.AST) -> str | None:
        """The top-level package a called name is imported from (`airflow` for `BashOperator`)."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        bound = self.ctx.lookup(root.id)
        if not isinstance(bound, Ref) or bound.level:
            return None
        return (bound.module or bound.name).split(".", 1)[0]

    def _kedro_node(self, node: ast.Call) -> None:
        func = keyword(node, "func") or (node.args[0] if node.args else None)
        inputs = keyword(node, "inputs") or (node.args[1] if len(node.args) > 1 else None)
        outputs = keyword(node, "outputs") or (node.args[2] if len(node.args) > 2 else None)
        if (callee := self._callee(func)) is not None:
            self.nodes.append(KedroNode(node.lineno, callee, _names(inputs), _names(outputs)))

    def _callee(self, func: ast.AST | None) -> Callee | None:
        if isinstance(func, ast.Name):
            bound = self.ctx.lookup(func.id)
            if isinstance(bound, Ref):
                return Callee(bound, "")
            if bound is None or bound is self.ctx.module_scope.get(func.id) and isinstance(bound, _DEFINITIONS):
                return Callee(None, func.id)  # this module's own function (or one defined further down)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            bound = self.ctx.lookup(func.value.id)
            if isinstance(bound, Ref):
                return Callee(bound, func.attr)  # `nodes.train` after `from . import nodes`
        return None

    def _callable(self, node: ast.Call) -> None:
        func = keyword(node, "python_callable")
        if not isinstance(func, ast.Name):
            return
        bound = self.ctx.lookup(func.id)
        if bound is not None and not isinstance(bound, (Ref, *_DEFINITIONS)):
            return
        value = self.operators.value
        op_args = self.operators.bound(keyword(node, "op_args"))
        op_kwargs = self.operators.bound(keyword(node, "op_kwargs"))
        args = tuple((value(a), source_text(a, 120)) for a in op_args.elts) \
            if isinstance(op_args, (ast.List, ast.Tuple)) else ()
        kwargs = tuple((k.value, value(v), source_text(v, 120)) for k, v in zip(op_kwargs.keys, op_kwargs.values)
                       if isinstance(k, ast.Constant) and isinstance(k.value, str)) \
            if isinstance(op_kwargs, ast.Dict) else ()
        values = [v for v, _ in args] + [v for _, v, _ in kwargs]
        if any(isinstance(p, str) for value in values for p in value):  # as `CallSite`s: some literal to pass on
            self.calls.append(CallSite(node.lineno, func.id, bound if isinstance(bound, Ref) else None, args, kwargs,
                                       ".".join(self.ctx.function_names)))

    # -- command-line arguments ------------------------------------------------------------------------
    def _argparse(self, node: ast.Call) -> None:
        flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not flags or len(flags) != len(node.args):
            return
        options = tuple(f for f in flags if f.startswith("-"))
        dest = keyword(node, "dest")
        if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
            name = dest.value
        elif options:
            name = max(options, key=lambda o: (o.startswith("--"), len(o))).lstrip("-").replace("-", "_")
        else:
            name = flags[0]
        action = keyword(node, "action")
        action_name = action.value if isinstance(action, ast.Constant) else \
            action.attr if isinstance(action, ast.Attribute) else None
        nargs = keyword(node, "nargs")
        default = keyword(node, "default")
        self.arguments.append(ScriptArgument(
            "argparse", options, name, action_name not in _NO_VALUE_ACTIONS,
            nargs is not None and not (isinstance(nargs, ast.Constant) and nargs.value in (1, "?")),
            self.operators.value(default) if default is not None else None, ""))

    def _click(self, decorator: ast.Call, function: str) -> None:
        flags = [a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not flags:
            return
        options = tuple(f for f in flags if f.startswith("-"))
        plain = [f for f in flags if not f.startswith("-")]
        if plain:
            name = plain[0]
        else:
            name = max(options, key=lambda o: (o.startswith("--"), len(o))).lstrip("-").split("/")[0]
        flag = keyword(decorator, "is_flag")
        nargs = keyword(decorator, "nargs")
        default = keyword(decorator, "default")
        self.arguments.append(ScriptArgument(
            "click", options if decorator.func.attr == "option" else (), name.replace("-", "_").lower(),
            not (isinstance(flag, ast.Constant) and flag.value is True) and not any("/" in o for o in options),
            nargs is not None and not (isinstance(nargs, ast.Constant) and nargs.value == 1),
            self.operators.value(default) if default is not None else None, function))


def _names(node: ast.AST | None) -> tuple[str, ...]:
    """Dataset names of a node's inputs/outputs: a string, a list of them, or a dict's values."""
    found = node.values if isinstance(node, ast.Dict) else items(node)
    return tuple(i.value for i in found if isinstance(i, ast.Constant) and isinstance(i.value, str))
