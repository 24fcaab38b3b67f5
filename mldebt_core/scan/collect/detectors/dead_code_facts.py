"""Per-file facts for dead experimental codepaths (§ 5), collected on the scanner's one AST walk.

What a file defines (functions, methods, classes, once-bound UPPER_CASE constants),
what it references (names, attributes, imports, annotations, quoted identifiers),
which branches test a constant or a flag, and its commented-out code. Whether a
definition is referenced or a flag ever rebound is only known across the whole
repository: `analyse/dead_code.py` joins these facts.
"""

import ast
import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from mldebt_core.scan.collect.detectors.branch_conditions import (
    body_span,
    compact_condition,
    else_span,
    is_main_guard,
    map_leaves,
)
from mldebt_core.scan.collect.detectors.commented_code import commented_code_blocks
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.collect.values import Ref, dotted_name, source_text

FACTS = "dead_code"  # this detector's name in PYTHON_DETECTORS
# Decorators that wrap a function without registering it anywhere: a function carrying only these (or
# caching / property wrappers, by name: cache_readonly, memoize, lazyproperty; or pytest marks) is reached
# by its name like any other. Any other decorator (@app.route, @click.command, @register, @pytest.fixture…) may hand
# it to
# a framework that calls it by reference, so it is never reported.
PLAIN_DECORATORS = frozenset({
    "property", "cached_property", "staticmethod", "classmethod", "abstractmethod", "setter", "getter", "deleter",
    "wraps", "lru_cache", "cache", "contextmanager", "asynccontextmanager", "dataclass", "total_ordering",
    "final", "override", "no_grad", "inference_mode", "enable_grad", "jit", "njit", "function", "vectorize",
    "deprecated", "Appender", "Substitution",
})
WRAPPER_WORDS = ("cache", "property", "memo")
# Names that test runners and frameworks call by convention (unittest, pytest's xunit setup, load_tests).
FRAMEWORK_NAMES = frozenset({
    "setUp", "tearDown", "setUpClass", "tearDownClass", "setUpModule", "tearDownModule", "asyncSetUp",
    "asyncTearDown", "setup_module", "teardown_module", "setup_function", "teardown_function", "setup_method",
    "teardown_method", "setup_class", "teardown_class", "load_tests",
})
# Module-level functions a framework finds by name in its module: Kedro's registry and pipelines, TFX module
# files, SageMaker inference scripts, behave's environment hooks, AWS Lambda.
ENTRY_POINTS = frozenset({
    "register_pipelines", "create_pipeline", "run_fn", "trainer_fn", "preprocessing_fn", "tuner_fn",
    "stats_options_updater_fn", "model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn",
    "before_all", "after_all", "before_feature", "after_feature", "before_scenario", "after_scenario",
    "before_step", "after_step", "before_tag", "after_tag", "before_rule", "after_rule", "lambda_handler",
})
# Parameters of a serverless handler: Lambda and background Cloud Functions `(event, context)`, CloudEvents.
HANDLER_SIGNATURES = frozenset({("event", "context"), ("cloud_event",), ("request",)})
# Inner classes a framework reads off their owner: pydantic's, Django's and marshmallow's options.
OPTION_CLASSES = frozenset({"Config", "Meta"})
# Bases whose subclasses a framework collects from the module: locust users and load shapes.
COLLECTED_BASES = frozenset({"HttpUser", "User", "FastHttpUser", "TaskSet", "SequentialTaskSet", "LoadTestShape"})
# asv benchmarks: functions and methods found by prefix in a benchmarks folder.
BENCHMARK_PREFIXES = ("time_", "mem_", "peakmem_", "track_", "timeraw_")
BENCHMARK_HOOKS = frozenset({"setup", "teardown", "setup_cache", "teardown_cache"})
HOOK_DECORATORS = frozenset({"hook_impl", "hookimpl"})  # pluggy: Kedro hooks, pytest plugins
# Base-name endings of classes a framework registers when their module is imported: ZenML materializers (the
# metaclass of BaseMaterializer maps their ASSOCIATED_TYPES to them). Alive if the module is imported at all.
REGISTERED_ON_IMPORT = ("Materializer",)
NOT_FLAGS = frozenset({"TYPE_CHECKING"})  # `TYPE_CHECKING = False` is the import-free typing idiom, on purpose
FLAG_TYPES = (bool, int, str, type(None))
# One pattern per quote: a literal first character lets the regex engine skip ahead (three times faster).
_QUOTED = (re.compile(r'"([A-Za-z_][\w.:]*)"'), re.compile(r"'([A-Za-z_][\w.:]*)'"))
_PATH_SEPARATORS = re.compile(r"[.:]")
_LOAD = ast.Load


@dataclass(frozen=True, slots=True)
class Definition:
    kind: str  # "function" | "method" | "class"
    name: str
    qualname: str
    line: int  # of the `def` / `class` keyword
    first: int  # first line, decorators included
    last: int
    owner: str = ""  # a method's class (qualified name)
    registered: bool = False  # a class the framework registers when its module is imported (REGISTERED_ON_IMPORT)


@dataclass(frozen=True, slots=True)
class DeadBlock:
    """Code that never runs whatever the rest of the repository does: `if False:` bodies, commented-out code."""
    problem: str  # "unreachable_branch" | "commented_out_code"
    line: int
    first: int
    last: int
    anchor: str  # names the block without its line numbers
    detail: str  # which branch of which condition, or the first commented-out line


@dataclass(frozen=True, slots=True)
class FlagTest:
    """A branch on a module-level name; dead if that name is a constant nobody rebinds."""
    condition: tuple  # see branch_conditions.compact_condition; leaves: (module | None, level, member, flag)
    line: int
    dead_if_true: tuple[int, int] | None  # lines that never run when the condition always holds
    dead_if_false: tuple[int, int] | None
    text: str
    scope: str  # qualified name of the enclosing function or class, "" at module level


@dataclass(frozen=True, slots=True)
class DeadCodeFacts:
    names: frozenset[str]  # referenced as a name, attribute, imported name or annotation
    strings: frozenset[str]  # identifiers and dotted-path parts quoted in the source
    attribute_stores: frozenset[str]  # attribute names assigned or deleted (`module.FLAG = True`)
    classes: dict[str, tuple[str, ...]]  # every class (qualified name) -> its bases' last names ("?": not a name)
    flags: dict[str, tuple[object, int]]  # UPPER_CASE literal bound once at module level -> (value, line)
    definitions: tuple[Definition, ...]
    flag_tests: tuple[FlagTest, ...]
    dead: tuple[DeadBlock, ...]
    scripts: frozenset[str] = frozenset()  # file names of Python files quoted in the source ('predict.py')
    main_guard: bool = False  # runs as a script: has `if __name__ == "__main__":`


class DeadCodeCollector:
    """Collects definitions and references; notebooks and stubs only contribute references."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.judged = ctx.path.endswith(".py")
        self.test_file = is_test_file(ctx.path)
        folders = ctx.path.split("/")[:-1]
        name = ctx.path.rsplit("/", 1)[-1]
        self.sphinx_conf = name == "conf.py" and bool({"docs", "doc"}.intersection(folders))  # all Sphinx hooks
        self.benchmarks = any("bench" in folder for folder in folders)
        self.main_module = name == "main.py"  # an HTTP Cloud Function's `def handler(request)`
        self.names: set[str] = set()
        self.attribute_stores: set[str] = set()
        self.bindings: Counter = Counter()  # module-level bindings of each name
        self.declared_global: set[str] = set()
        self.literals: dict[str, tuple[object, int]] = {}
        self.definitions: list[Definition] = []
        self.classes: dict[str, tuple[str, ...]] = {}
        self.main_blocks: list[tuple[int, int]] = []
        self.statement_spans: list[tuple[int, int]] = []  # multi-line expressions and assignments
        self.pending: list[tuple] = []  # flag tests whose names resolve once the module is read
        self.unreachable: list[DeadBlock] = []
        self.anchors: Counter = Counter()

    def hooks(self):
        return {ast.Name: self._name_hook(), ast.Attribute: self.attribute, ast.If: self.branch,
                ast.While: self.branch, ast.Assign: self.assign, ast.AnnAssign: self.assign, ast.Import: self.imports,
                ast.ImportFrom: self.imports, ast.FunctionDef: self.function, ast.AsyncFunctionDef: self.function,
                ast.ClassDef: self.klass, ast.Global: self.global_, ast.Expr: self.expression}

    # -- references and bindings ----------------------------------------------------------------
    def _name_hook(self):
        """The hottest hook (every name in the file), so a closure over locals rather than a method."""
        add, bindings, function_names = self.names.add, self.bindings, self.ctx.function_names

        def name(node: ast.Name) -> None:
            if node.ctx.__class__ is _LOAD:
                add(node.id)
            elif not function_names:  # a module-level binding
                bindings[node.id] += 1
        return name

    def attribute(self, node: ast.Attribute) -> None:
        self.names.add(node.attr)
        if node.ctx.__class__ is not _LOAD:
            self.attribute_stores.add(node.attr)

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if node.__class__ is ast.ImportFrom:
                self.names.add(alias.name)  # `from m import f` (re-)exports f
            if not self.ctx.function_names:
                self.bindings[alias.asname or alias.name.split(".")[0]] += 1

    def global_(self, node: ast.Global) -> None:
        self.declared_global.update(node.names)

    def assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if node.__class__ is ast.AnnAssign:
            self._annotation(node.annotation)
        value = node.value
        if node.end_lineno > node.lineno:
            self.statement_spans.append((node.lineno, node.end_lineno))
        if self.ctx.function_names:
            return
        for target in node.targets if node.__class__ is ast.Assign else (node.target,):
            if target.__class__ is ast.Name:  # the walk does not visit plain Name targets
                self.bindings[target.id] += 1
                if value.__class__ is ast.Constant and isinstance(value.value, FLAG_TYPES) \
                        and target.id.isupper() and target.id not in NOT_FLAGS:
                    self.literals[target.id] = (value.value, node.lineno)

    def expression(self, node: ast.Expr) -> None:
        if node.end_lineno > node.lineno:  # a docstring, or a call with a multi-line string argument
            self.statement_spans.append((node.lineno, node.end_lineno))

    def _annotation(self, node: ast.AST) -> None:
        """The walk skips annotations, but a class used only in them is in use."""
        if node.__class__ is ast.Name:  # most annotations: no need to walk
            self.names.add(node.id)
            return
        for child in ast.walk(node):
            if child.__class__ is ast.Name:
                self.names.add(child.id)
            elif child.__class__ is ast.Attribute:
                self.names.add(child.attr)

    # -- definitions ------------------------------------------------------------------------------
    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        for group in (args.posonlyargs, args.args, args.kwonlyargs, (args.vararg, args.kwarg)):
            for arg in group:
                if arg is not None and arg.annotation is not None:
                    self._annotation(arg.annotation)
        if node.returns is not None:
            self._annotation(node.returns)
        scope = ".".join(self.ctx.function_names)
        if not scope:
            self.bindings[node.name] += 1
        if self.judged and not self._exempt(node, node.name.startswith("test")):
            method = scope in self.classes
            self.definitions.append(_definition(node, "method" if method else "function", scope,
                                                owner=scope if method else ""))

    def klass(self, node: ast.ClassDef) -> None:
        scope = ".".join(self.ctx.function_names)
        qualname = f"{scope}.{node.name}" if scope else node.name
        bases = self.classes[qualname] = tuple(_last_name(b) for b in node.bases)
        if not scope:
            self.bindings[node.name] += 1
        is_test = "Test" in node.name or any("Test" in b for b in bases)
        unittest_case = any(b.endswith("TestCase") for b in bases)  # collected by subclass, in any file
        if self.judged and not unittest_case and not self._exempt(node, is_test):
            registered = any(b.endswith(REGISTERED_ON_IMPORT) for b in bases)
            self.definitions.append(_definition(node, "class", scope, registered=registered))

    def _exempt(self, node: ast.FunctionDef | ast.ClassDef, is_test: bool) -> bool:
        name = node.name
        return ((name.startswith("__") and name.endswith("__")) or name in FRAMEWORK_NAMES
                or name.startswith("pytest_") or (self.test_file and is_test)
                or not all(_plain(d) for d in node.decorator_list)
                or any(first <= node.lineno <= last for first, last in self.main_blocks)
                or self._framework_entry(node))

    def _framework_entry(self, node: ast.FunctionDef | ast.ClassDef) -> bool:
        """Called or collected by a framework through a convention, not through a reference in the code."""
        name, scope = node.name, self.ctx.function_names
        if self.sphinx_conf or (self.benchmarks and (_benchmark(node) or (scope and name in BENCHMARK_HOOKS))):
            return True
        if node.__class__ is ast.ClassDef:
            return (bool(scope) and name in OPTION_CLASSES and ".".join(scope) in self.classes) or any(
                _last_name(base) in COLLECTED_BASES for base in node.bases) or _implements_hooks(node)
        if scope:
            return False
        args = node.args
        params = tuple(a.arg for a in [*args.posonlyargs, *args.args])
        return name in ENTRY_POINTS or (params in HANDLER_SIGNATURES and (params != ("request",) or self.main_module))

    # -- branches -----------------------------------------------------------------------------------
    def branch(self, node: ast.If | ast.While) -> None:
        test = node.test
        if is_main_guard(test) and not self.ctx.function_names:
            self.main_blocks.append((node.lineno, node.end_lineno))
        elif not self.judged:
            return
        elif test.__class__ is ast.Constant:
            dead = else_span(node) if test.value else body_span(node)
            if dead is not None:
                self._unreachable(node, dead, "else branch" if test.value else "body")
        elif (condition := compact_condition(test, self._leaf)) is not None:
            self.pending.append((condition, node, ".".join(self.ctx.function_names)))

    def _unreachable(self, node: ast.If | ast.While, dead: tuple[int, int], part: str) -> None:
        keyword = "while" if node.__class__ is ast.While else "if"
        text = f"{keyword} {source_text(node.test, 40)}:"
        scope = ".".join(self.ctx.function_names)
        anchor = self._anchor(f"unreachable|{scope}|{text}|{part}")
        self.unreachable.append(DeadBlock("unreachable_branch", node.lineno, *dead, anchor, f"the {part} of `{text}`"))

    def _leaf(self, node: ast.AST) -> tuple | None:
        """A name this branch may test as a flag: an UPPER_CASE global or `module.UPPER_CASE`."""
        if node.__class__ is ast.Name and node.id.isupper() and node.id not in NOT_FLAGS:
            if any(node.id in scope for scope in self.ctx.scopes[1:]):
                return None  # a local of the same name shadows the module's
            return ("name", node.id)
        if node.__class__ is ast.Attribute and node.value.__class__ is ast.Name and node.attr.isupper():
            return ("attr", node.value.id, node.attr)
        return None

    def _resolve(self, leaf: tuple) -> tuple | None:
        """(module | None for this file, level, member, flag): where the tested name is bound."""
        bound = self.ctx.module_scope.get(leaf[1])
        if leaf[0] == "name":
            if isinstance(bound, Ref):
                return (bound.module, bound.level, bound.name, bound.name)
            return (None, 0, "", leaf[1]) if leaf[1] in self.bindings else None
        return (bound.module, bound.level, bound.name, leaf[2]) if isinstance(bound, Ref) else None

    # -- result ----------------------------------------------------------------------------------
    def result(self) -> DeadCodeFacts:
        ctx = self.ctx
        text = "\n" + "\n".join(ctx.source_lines)
        strings: set[str] = set()
        scripts: set[str] = set()
        for quoted in set(_QUOTED[0].findall(text)).union(_QUOTED[1].findall(text)):
            strings.update(_PATH_SEPARATORS.split(quoted))
            if quoted.endswith(".py"):
                scripts.add(quoted)
        flags = {name: literal for name, literal in self.literals.items()
                 if self.bindings[name] == 1 and name not in self.declared_global}
        dead = list(self.unreachable)
        if self.judged:
            for block in commented_code_blocks(text, ctx.settings.code.min_commented_code_lines,
                                               self.statement_spans):
                digest = hashlib.sha1(block.code.encode()).hexdigest()[:12]
                dead.append(DeadBlock("commented_out_code", block.first, block.first, block.last,
                                      self._anchor(f"commented|{digest}"), block.statement))
        return DeadCodeFacts(frozenset(self.names), frozenset(strings), frozenset(self.attribute_stores), self.classes,
                             flags, tuple(self.definitions), tuple(self._flag_tests()), tuple(dead),
                             frozenset(scripts), bool(self.main_blocks))

    def _flag_tests(self):
        for condition, node, scope in self.pending:
            resolved = map_leaves(condition, self._resolve)
            if resolved is not None:
                yield FlagTest(resolved, node.lineno, else_span(node), body_span(node), source_text(node.test, 80),
                               scope)

    def _anchor(self, anchor: str) -> str:
        self.anchors[anchor] += 1
        return f"{anchor}|{self.anchors[anchor]}"


def _definition(node, kind: str, scope: str, owner: str = "", registered: bool = False) -> Definition:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return Definition(kind, node.name, f"{scope}.{node.name}" if scope else node.name, node.lineno, first,
                      node.end_lineno or node.lineno, owner, registered)


def _implements_hooks(node: ast.ClassDef) -> bool:
    """A pluggy plugin (Kedro hooks, pytest plugins): its `@hook_impl` methods are registered with an instance."""
    return any(s.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef)
               and any(_last_name(d) in HOOK_DECORATORS for d in s.decorator_list) for s in node.body)


def _benchmark(node: ast.FunctionDef | ast.ClassDef) -> bool:
    if node.__class__ is ast.ClassDef:
        return any(s.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef) and s.name.startswith(BENCHMARK_PREFIXES)
                   for s in node.body)
    return node.name.startswith(BENCHMARK_PREFIXES)


def _plain(decorator: ast.AST) -> bool:
    name = _last_name(decorator)
    if name in PLAIN_DECORATORS or any(word in name.lower() for word in WRAPPER_WORDS):
        return True
    target = decorator.func if decorator.__class__ is ast.Call else decorator
    return "mark" in (dotted_name(target) or "").split(".")[:-1]  # pytest.mark.slow: pytest collects by name


def _last_name(node: ast.AST) -> str:
    while node.__class__ in (ast.Call, ast.Subscript):
        node = node.func if node.__class__ is ast.Call else node.value
    if node.__class__ is ast.Name:
        return node.id
    return node.attr if node.__class__ is ast.Attribute else "?"
