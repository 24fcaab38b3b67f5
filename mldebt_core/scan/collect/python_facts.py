"""One pass over a Python module's AST, collecting facts: imports, data accesses,
module constants and what the code does with models.

The visitor only collects; resolution across files (`resolve/`) and analysis
(`analyse/`) happen later, in pure functions over these facts.
"""

import ast
import builtins
import re
from dataclasses import replace

from mldebt_core.scan.collect.access_apis import FIT_METHODS
from mldebt_core.scan.collect.code_facts import CallSite, CodeFacts, ImportFact, ParamAccess, RawAccess
from mldebt_core.scan.collect.handles import handle_value
from mldebt_core.scan.collect.local_io import classify_local, open_mode
from mldebt_core.scan.collect.predictions import is_predicted, model_like, predicts
from mldebt_core.scan.collect.remote_io import classify_remote
from mldebt_core.scan.collect.shell import analyse_shell, shell_value
from mldebt_core.scan.collect.values import Evaluator, Hole, Ref, Value, dotted_name, source_text
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS, ScanSettings


class _Collector:
    """Walks the tree once; keeps scopes of assignments so path expressions resolve.

    Per-file detectors (`collect/detectors/`) ride on the same walk: each registers hooks by node
    class, called before the node's children are visited; they read the walk's
    context (`path`, `settings`, `source_lines`, `function_names`, `function_span`, `lookup`,
    `evaluator`, and `facts` collected so far).
    """

    def __init__(self, path: str, settings: ScanSettings, source: str, detectors):
        self.path = path
        self.settings = settings
        self.source_lines = source.splitlines()
        self.facts = CodeFacts()
        self.module_scope: dict[str, ast.AST | Ref] = {}
        self.scopes: list[dict[str, ast.AST | Ref]] = [self.module_scope]
        self.function_names: list[str] = []
        self.handles: dict[str, int] = {}  # name bound by `with open(...) as f` -> index of that open access
        self.augments: list[dict[str, list[ast.AST]]] = [{}]  # per scope: name -> values it took in place
        self.predicting_functions: set[str] = set()  # functions here that return a model's predictions
        self._predicting_scopes: set[str] = set()  # functions (dotted) that call a model or a predicting function
        self._may_predict: set[str] = set()  # scopes (dotted) with a call that may predict, visited so far
        self.evaluator = Evaluator(path, self.lookup, settings.value_resolution_depth, handle_value)
        self.previous = self.evaluator.previous  # id(bound expression) -> the binding it replaced
        self.consumed: set[int] = set()  # opens whose handle a serializer used (reported once, as the serializer)
        self.open_index: dict[int, int] = {}  # id(open call) -> index in accesses
        self.function_spans: list[tuple[int, int]] = []  # (first, last line) of every function
        self.function_params: dict[str, dict[str, int | None]] = {}  # module-level function -> required params
        self.bare_calls: set[int] = set()  # ids of calls that are a whole expression statement
        self.loop_items: dict[str, tuple[str, ...]] = {}  # `for name in ["a.csv", "b.csv"]`, inside that loop
        self.detectors = {name: factory(self) for name, factory in detectors.items()}
        self.hooks: dict[type, list] = {}
        for detector in self.detectors.values():
            for cls, hook in detector.hooks().items():
                self.hooks.setdefault(cls, []).append(hook)
        self.leaves = _LEAVES - self.hooks.keys()

    def function_span(self, line: int) -> tuple[int, int]:
        """Lines of the innermost function around `line`, or of the whole module."""
        spans = [s for s in self.function_spans if s[0] <= line <= s[1]]
        return min(spans, key=lambda s: s[1] - s[0]) if spans else (1, len(self.source_lines))

    def lookup(self, name: str):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    # -- traversal -----------------------------------------------------------------------------
    # The hot loop of the scanner: per node class, only the fields that can hold child nodes are read,
    # and leaves (names, constants, contexts, operators) are never visited.
    def walk(self, node: ast.AST) -> None:
        cls = node.__class__
        hooks = self.hooks.get(cls)
        if hooks is not None:
            for hook in hooks:
                hook(node)
        handler = _HANDLERS.get(cls)
        if handler is not None:
            handler(self, node)
        elif cls not in self.leaves:
            self.children(node)

    def children(self, node: ast.AST) -> None:
        cls = node.__class__
        fields = _CHILD_FIELDS.get(cls)
        if fields is None:
            fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _SCALAR_FIELDS)
        leaves = self.leaves
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if item.__class__ not in leaves and item is not None:
                        self.walk(item)
            elif value is not None and value.__class__ not in leaves:
                self.walk(value)

    # -- statements ----------------------------------------------------------------------------
    def visit_import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.facts.imports.append(ImportFact(node.lineno, alias.name, 0, ()))
            bound = alias.asname or alias.name.split(".")[0]
            self.scopes[-1][bound] = Ref(alias.name if alias.asname else alias.name.split(".")[0], 0, "")

    def visit_import_from(self, node: ast.ImportFrom) -> None:
        names = tuple(a.name for a in node.names)
        self.facts.imports.append(ImportFact(node.lineno, node.module or "", node.level, names))
        for alias in node.names:
            if alias.name != "*":
                self.scopes[-1][alias.asname or alias.name] = Ref(node.module or "", node.level, alias.name)

    def visit_assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        scope = self.scopes[-1]
        if len(self.scopes) == 1 and isinstance(node.value, (ast.Constant, ast.List, ast.Tuple)):
            self._schema(node.value)
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                if (old := scope.get(target.id)) is not None:
                    self.previous[id(node.value)] = old  # `p = join("configs", p)` reads the old p
                scope[target.id] = node.value
                self.handles.pop(target.id, None)
                if isinstance(node.value, ast.Call):
                    self._bind_handle(target.id, node.value)
                if target.id == "__tablename__" and len(self.scopes) > 1:  # an ORM model declares its table
                    self.record(node.value, "write", "sqlalchemy.__tablename__", node.value, target="table")
            else:
                if node.value is not None:  # `df["score"] = preds`, `a, b = ...`: what `df`, `a` took in
                    for name in _taken_by(target):
                        self.augments[-1].setdefault(name, []).append(node.value)
                self.walk(target)

    def _schema(self, value: ast.AST) -> None:
        """`MIGRATIONS = ["CREATE TABLE scores (…)", …]`: tables this repository creates, wherever it runs them."""
        for item in value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]:
            if isinstance(item, ast.Constant) and isinstance(item.value, str) and _DDL.match(item.value):
                self.record_value(item, "write", "sql.schema", (item.value,), source_text(item, 120), target="sql")

    def _bind_handle(self, name: str, value: ast.Call) -> None:
        if id(value) in self.open_index:
            self.handles[name] = self.open_index[id(value)]
        elif (dotted_name(value.func) or "").endswith(("writer", "DictWriter")) and value.args \
                and isinstance(value.args[0], ast.Name) and value.args[0].id in self.handles:
            self.handles[name] = self.handles[value.args[0].id]  # csv.writer(f) writes where f does

    def visit_return(self, node: ast.Return) -> None:
        """`def llm(prompt): … return response.choices[0].message.content`: calling llm() predicts."""
        if node.value is None:
            return
        self.walk(node.value)
        if self.function_names and self._function() in self._predicting_scopes and is_predicted(self, node.value):
            self.predicting_functions.add(self.function_names[-1])

    def visit_expr(self, node: ast.Expr) -> None:
        """A call whose value nobody uses: `run.use_artifact("x:latest")` only declares an input (`bare_calls`)."""
        if node.value.__class__ is ast.Call:
            self.bare_calls.add(id(node.value))
        self.walk(node.value)

    def visit_for(self, node: ast.For | ast.AsyncFor) -> None:
        for name in _taken_by(node.target):  # `for p in preds`: p holds what preds holds
            self.augments[-1].setdefault(name, []).append(node.iter)
        items = _literal_items(node.target, node.iter)
        self.loop_items.update(items)
        self.children(node)
        for name in items:
            self.loop_items.pop(name, None)

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.walk(decorator)
        args = node.args
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.walk(default)
        scope: dict[str, ast.AST | Ref] = {}
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            scope[arg.arg] = default
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                scope[arg.arg] = default
        if len(self.scopes) == 1:  # module-level: callers elsewhere can be matched to it by name
            required = positional[: len(positional) - len(args.defaults)]
            self.function_params[node.name] = {
                **{a.arg: i for i, a in enumerate(required)},
                **{a.arg: None for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None}}
        self.scopes[-1][node.name] = node
        self.scopes.append(scope)
        self.augments.append({})
        self.function_names.append(node.name)
        self.function_spans.append((node.lineno, node.end_lineno or node.lineno))
        for statement in node.body:
            self.walk(statement)
        self.function_names.pop()
        self.augments.pop()
        self.scopes.pop()

    def visit_class(self, node: ast.ClassDef) -> None:
        for item in [*node.decorator_list, *node.bases, *node.keywords]:
            self.walk(item)
        self.scopes[-1][node.name] = node
        self.scopes.append({})
        self.augments.append({})
        self.function_names.append(node.name)
        for statement in node.body:
            self.walk(statement)
        self.function_names.pop()
        self.augments.pop()
        self.scopes.pop()

    def visit_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.walk(item.context_expr)
            expr = item.context_expr
            if isinstance(item.optional_vars, ast.Name) and isinstance(expr, ast.Call) \
                    and id(expr) in self.open_index:
                self.handles[item.optional_vars.id] = self.open_index[id(expr)]
        for statement in node.body:
            self.walk(statement)

    # -- calls ---------------------------------------------------------------------------------
    def visit_call(self, node: ast.Call) -> None:
        self.children(node)
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if attr is None:
            return
        name = dotted_name(func)
        predicting = predicts(node, attr, name)
        if predicting or model_like(attr):
            self._may_predict.add(self._function())
        if attr in FIT_METHODS and isinstance(func, ast.Attribute):
            self.facts.fits = True
        elif predicting:
            self.facts.predicts = True
            self._predicting_scopes.add(self._function())
        elif isinstance(func, ast.Name) and func.id in self.predicting_functions:
            self._predicting_scopes.add(self._function())
        receiver = dotted_name(func.value) if isinstance(func, ast.Attribute) else None
        if attr in ("system", "getoutput", "run_cell_magic") and isinstance(func.value, ast.Call) \
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython":
            self.visit_shell(node, attr)
            return
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            self._method_call(node, func.value.id, attr)
        if not classify_remote(self, node, func, attr, name, receiver):
            classify_local(self, node, func, attr, name, receiver)
        if isinstance(func, ast.Name) and func.id not in _BUILTINS and (node.args or node.keywords):
            self._call_site(node, func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (node.args or node.keywords) \
                and isinstance(self.lookup(func.value.id), Ref):  # `utils.save_model(model, path)`
            self._call_site(node, attr, func.value.id)

    def _method_call(self, node: ast.Call, owner: str, attr: str) -> None:
        """What a method call tells of its receiver: `rows.append(pred)` takes in predictions, `f.write(x)`
        writes through a handle, `get_ipython().system(...)` runs a shell line (an un-magicked `!wget …`)."""
        if attr in _TAKING_METHODS:
            self.augments[-1].setdefault(owner, []).append(node)
        elif attr in _WRITING_METHODS and owner in self.handles:
            index = self.handles[owner]
            access = self.facts.accesses[index]
            if access.mode == "write" and not access.predicted and is_predicted(self, node):
                self.facts.accesses[index] = replace(access, predicted=True)

    def visit_shell(self, node: ast.Call, attr: str) -> None:
        """IPython's shell escapes as the notebook un-magic leaves them: `get_ipython().system("wget …")`."""
        command = node.args[2] if attr == "run_cell_magic" and len(node.args) > 2 else node.args[0] if node.args \
            else None
        if attr == "run_cell_magic" and not (node.args and isinstance(node.args[0], ast.Constant)
                                             and node.args[0].value in ("bash", "sh", "script", "system")):
            return
        if not (isinstance(command, ast.Constant) and isinstance(command.value, str)):
            return
        text = _IPYTHON_VARIABLE.sub(lambda m: self._shell_variable(m), command.value)
        accesses, runs = analyse_shell(text)
        for access in accesses:
            line = node.lineno + access.line - 1
            self.facts.accesses.append(RawAccess(line, access.mode, access.api, shell_value(access), access.location,
                                                 function=self._function()))
        self.facts.runs.extend((node.lineno + line - 1, target) for line, target in runs)

    def _shell_variable(self, match) -> str:
        """`{url}` or `$url` in a shell escape is the Python variable: its literal value when known."""
        name = match.group(1) or match.group(2)
        value = self.evaluator.value(ast.Name(name, ast.Load()))
        return value[0] if len(value) == 1 and isinstance(value[0], str) else "${" + name + "}"

    def _call_site(self, node: ast.Call, callee: str, attribute_of: str = "", fixed: dict | None = None) -> None:
        """Keep calls that may pass a location to a helper (`read_dataframe("data/x.parquet")`); inside a loop
        over literal names, one call per name (`for name in ["X.parquet", "y.parquet"]: write(bucket, name)`)."""
        bound = self.lookup(attribute_of or callee)
        if bound is not None and not isinstance(bound, (Ref, *_DEFINITIONS)):
            return  # a variable holding a callable: unknown target
        if self.loop_items and fixed is None:
            looped = {a.id for a in [*node.args, *(k.value for k in node.keywords)]
                      if isinstance(a, ast.Name) and a.id in self.loop_items}
            if looped:
                for i in range(min(len(self.loop_items[n]) for n in looped)):
                    self._call_site(node, callee, attribute_of, {n: self.loop_items[n][i] for n in looped})
                return
        fixed = fixed or {}

        def known(arg: ast.AST) -> tuple[Value, str] | None:
            if isinstance(arg, ast.Name) and arg.id in fixed:
                return (fixed[arg.id],), arg.id
            if isinstance(arg, ast.Constant) and not isinstance(arg.value, str):
                return None
            self.evaluator.describe = False  # most arguments are no location: skip describing their holes
            value = self.evaluator.value(arg)
            self.evaluator.describe = True
            if not any(isinstance(p, str) for p in value):
                return None
            return self.evaluator.value(arg), source_text(arg, 120)

        args = tuple(None if isinstance(a, ast.Starred) else known(a) for a in node.args)
        kwargs = tuple((k.arg, *found) for k in node.keywords if k.arg and (found := known(k.value)))
        if any(args) or kwargs:
            predicted = any(is_predicted(self, a) for a in [*node.args, *(k.value for k in node.keywords)])
            self.facts.call_sites.append(CallSite(node.lineno, callee, bound if isinstance(bound, Ref) else None,
                                                  args, kwargs, self._function(), attribute_of, predicted))

    # -- recording (the context that collect/local_io.py and collect/remote_io.py record through) ----------------
    def record(self, node: ast.AST, mode: str, api: str, location: ast.AST | None, target: str = "path",
               data: ast.AST | None = None) -> None:
        """An access at `node` of the place `location` names; `data` is what a write writes."""
        if location is None or (isinstance(location, ast.Call) and (dotted_name(location.func) or "").endswith(
                ("StringIO", "BytesIO"))):  # in-memory buffers are no data location
            return
        opened = self._opened(location)
        if opened is not None:  # `df.to_parquet(f)` of `with blob.open("w") as f`: reported once, as the writer
            self.consumed.add(opened)
            source = self.facts.accesses[opened]
            self.record_value(node, mode, api, source.value, source.expression, target, data)
            return
        self.record_value(node, mode, api, self.evaluator.value(location), source_text(location, 120), target, data)

    def record_value(self, node: ast.AST, mode: str, api: str, value: Value, expression: str, target: str = "path",
                     data: ast.AST | None = None) -> None:
        predicted = mode == "write" and data is not None and is_predicted(self, data)
        self.facts.accesses.append(RawAccess(node.lineno, mode, api, value, expression, target, self._function(),
                                             predicted))

    def open_path(self, node: ast.Call, location: ast.AST | None, mode: ast.AST | None, api: str) -> None:
        """An opener (`open(p, "w")`, `fs.open(p)`): its handle may be used by a reader or writer later."""
        if location is not None:
            self._remember_opened(node, lambda: self.record(node, open_mode(mode), api, location))

    def open_handle(self, node: ast.Call, mode: str, api: str, value: Value) -> None:
        """`blob.open("w")`: an opener whose location is a client handle's."""
        self._remember_opened(node, lambda: self.record_value(node, mode, api, value, self.receiver_text(node)))

    def _remember_opened(self, node: ast.Call, record) -> None:
        """Run `record`; when it recorded an access (an in-memory buffer records none), the opener's handle is it."""
        before = len(self.facts.accesses)
        record()
        if len(self.facts.accesses) > before:
            self.open_index[id(node)] = before

    def receiver_text(self, node: ast.Call) -> str:
        return source_text(node.func.value, 120) if isinstance(node.func, ast.Attribute) else ""

    def bindings(self, name: str) -> list[ast.AST]:
        """Every expression `name` was bound to or took in, in the scopes seen from here (for predictions)."""
        found = []
        for scope, augments in zip(reversed(self.scopes), reversed(self.augments)):
            bound = scope.get(name)
            while isinstance(bound, ast.AST) and not isinstance(bound, _DEFINITIONS):
                found.append(bound)
                bound = self.previous.get(id(bound))
            found.extend(augments.get(name, ()))
            if name in scope:
                break
        return found

    def _opened(self, location: ast.AST) -> int | None:
        if isinstance(location, ast.Call):
            return self.open_index.get(id(location))
        if isinstance(location, ast.Name):
            return self.handles.get(location.id)
        return None

    def _function(self) -> str:
        return ".".join(self.function_names)

    def may_predict_here(self) -> bool:
        """Could a value seen from here hold predictions? Only if this scope or one around it called a model."""
        names = self.function_names
        return bool(self._may_predict) and any(".".join(names[:depth]) in self._may_predict
                                               for depth in range(len(names) + 1))

    def finish(self) -> CodeFacts:
        self.facts.detected = {name: detector.result() for name, detector in self.detectors.items()}
        self.facts.accesses = [a for i, a in enumerate(self.facts.accesses) if i not in self.consumed]
        for access in self.facts.accesses:  # summaries: which parameters of a function make the location it uses
            params = self.function_params.get(access.function)
            holes = [p.text for p in access.value if isinstance(p, Hole)]
            if params and holes and all(h in params for h in holes):
                self.facts.param_accesses.append(ParamAccess(
                    access.function, tuple((h, params[h]) for h in dict.fromkeys(holes)), access))
        self.evaluator.describe = False  # module constants: most are no location, and unparsing them is slow
        for name, bound in self.module_scope.items():
            if isinstance(bound, Ref):
                if bound.name:
                    self.facts.constants[name] = (bound,)
            elif (value := self.evaluator.constant(name, bound)) is not None:
                self.facts.constants[name] = value
        return self.facts


def _literal_items(target: ast.AST, iterable: ast.AST) -> dict[str, tuple[str, ...]]:
    """Loop names bound to literal strings: `for n in ["a", "b"]`, `for df, n in zip([x, y], ["a", "b"])`."""
    if isinstance(target, ast.Name):
        pairs = [(target, iterable)]
    elif isinstance(target, ast.Tuple) and isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
            and iterable.func.id == "zip" and len(iterable.args) == len(target.elts):
        pairs = list(zip(target.elts, iterable.args))
    else:
        return {}
    return {name.id: tuple(e.value for e in items.elts) for name, items in pairs
            if isinstance(name, ast.Name) and isinstance(items, (ast.List, ast.Tuple)) and items.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items.elts)}


def _taken_by(target: ast.AST) -> list[str]:
    """Names whose value an assignment target changes: `df` of `df["x"]`/`df.x`, each name of a tuple."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _taken_by(elt)]
    if isinstance(target, ast.Starred):
        return _taken_by(target.value)
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return [target.id] if isinstance(target, ast.Name) else []


_TAKING_METHODS = frozenset({"append", "extend", "insert", "update", "add", "assign", "put", "concat"})
_WRITING_METHODS = frozenset({"write", "writelines", "writerow", "writerows", "dump"})
_DDL = re.compile(r"\s*create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(?:table|view|materialized\s+view)\b",
                  re.I)
_IPYTHON_VARIABLE = re.compile(r"\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BUILTINS = frozenset(dir(builtins))
_HANDLERS = {
    ast.Import: _Collector.visit_import,
    ast.ImportFrom: _Collector.visit_import_from,
    ast.Assign: _Collector.visit_assign,
    ast.AnnAssign: _Collector.visit_assign,
    ast.FunctionDef: _Collector.visit_function,
    ast.AsyncFunctionDef: _Collector.visit_function,
    ast.ClassDef: _Collector.visit_class,
    ast.With: _Collector.visit_with,
    ast.AsyncWith: _Collector.visit_with,
    ast.For: _Collector.visit_for,
    ast.Expr: _Collector.visit_expr,
    ast.Return: _Collector.visit_return,
    ast.AsyncFor: _Collector.visit_for,
    ast.Call: _Collector.visit_call,
}
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
                     ast.alias, str, int, type(None),
                     *(c for base in (ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
                       for c in base.__subclasses__())})
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "arg", "name", "names", "module", "level", "lineno", "kind",
                            "is_async", "conversion", "type_comment", "type_ignores", "simple", "op"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def collect_python_facts(tree: ast.Module, path: str, settings: ScanSettings = DEFAULT_SCAN_SETTINGS,
                         source: str = "", detectors: dict | None = None) -> CodeFacts:
    """Facts of one module; `detectors` maps a name to a factory taking the walk's context."""
    collector = _Collector(path, settings, source, detectors or {})
    try:
        for statement in tree.body:
            collector.walk(statement)
        return collector.finish()
    finally:  # the scan runs with the cyclic GC off: break collector <-> detector cycles by hand
        collector.detectors = collector.hooks = collector.evaluator = collector.scopes = None

