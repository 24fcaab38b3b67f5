"""One pass over a Python module's AST, collecting facts: imports, data accesses,
module constants and what the code does with models.

The visitor only collects; resolution across files (`resolve/`) and analysis
(`analyse/`) happen later, in pure functions over these facts.
"""

import ast
import builtins

from mldebt_core.scan.collect.access_apis import (
    FILE_OPENERS,
    FIT_METHODS,
    MODEL_EXTENSIONS,
    MODEL_LOAD_CALLS,
    MODEL_SAVE_METHODS,
    NUMPY_READERS,
    NUMPY_WRITERS,
    PANDAS_READERS,
    PANDAS_SQL_READERS,
    PANDAS_WRITERS,
    PREDICT_METHODS,
    SERIALIZER_DUMPS,
    SERIALIZER_LOADS,
    SERIALIZERS,
    SPARK_READ_TERMINALS,
    SPARK_WRITE_TERMINALS,
    SQL_RECEIVER_HINTS,
)
from mldebt_core.scan.collect.code_facts import CallSite, CodeFacts, ImportFact, ParamAccess, RawAccess
from mldebt_core.scan.collect.sql import looks_like_sql
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
        self.evaluator = Evaluator(path, self.lookup, settings.value_resolution_depth)
        self.consumed: set[int] = set()  # opens whose handle a serializer used (reported once, as the serializer)
        self.open_index: dict[int, int] = {}  # id(open call) -> index in accesses
        self.function_spans: list[tuple[int, int]] = []  # (first, last line) of every function
        self.function_params: dict[str, dict[str, int | None]] = {}  # module-level function -> required params
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
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                self.scopes[-1][target.id] = node.value
                if isinstance(node.value, ast.Call) and id(node.value) in self.open_index:
                    self.handles[target.id] = self.open_index[id(node.value)]
            else:
                self.walk(target)

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
        self.function_names.append(node.name)
        self.function_spans.append((node.lineno, node.end_lineno or node.lineno))
        for statement in node.body:
            self.walk(statement)
        self.function_names.pop()
        self.scopes.pop()

    def visit_class(self, node: ast.ClassDef) -> None:
        for item in [*node.decorator_list, *node.bases, *node.keywords]:
            self.walk(item)
        self.scopes[-1][node.name] = node
        self.scopes.append({})
        self.function_names.append(node.name)
        for statement in node.body:
            self.walk(statement)
        self.function_names.pop()
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
        if attr in FIT_METHODS and isinstance(func, ast.Attribute):
            self.facts.fits = True
        elif attr in PREDICT_METHODS and isinstance(func, ast.Attribute):
            self.facts.predicts = True
        name = dotted_name(func)
        receiver = dotted_name(func.value) if isinstance(func, ast.Attribute) else None
        self._classify(node, func, attr, name, receiver)
        if isinstance(func, ast.Name) and func.id not in _BUILTINS and (node.args or node.keywords):
            self._call_site(node, func.id)

    def _call_site(self, node: ast.Call, callee: str) -> None:
        """Keep calls that may pass a location to a helper (`read_dataframe("data/x.parquet")`)."""
        bound = self.lookup(callee)
        if bound is not None and not isinstance(bound, (Ref, *_DEFINITIONS)):
            return  # a variable holding a callable: unknown target

        def known(arg: ast.AST) -> tuple[Value, str] | None:
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
            self.facts.call_sites.append(CallSite(node.lineno, callee, bound if isinstance(bound, Ref) else None,
                                                  args, kwargs, self._function()))

    def _classify(self, node: ast.Call, func, attr: str, name: str | None, receiver: str | None) -> None:
        if name in FILE_OPENERS:
            mode = _open_mode(_arg(node, 1, "mode"))
            if (location := _arg(node, 0, "file", "filename", "name", "urlpath", "uri")) is not None:
                self.open_index[id(node)] = len(self.facts.accesses)
                self._record(node, mode, name, location)
            return
        if receiver in SERIALIZERS:
            if attr in SERIALIZER_LOADS:
                self._stream(node, "read", f"{receiver}.{attr}", _arg(node, 0, "f", "file", "stream", "filename", "fp"))
            elif attr in SERIALIZER_DUMPS:
                self._stream(node, "write", f"{receiver}.{attr}",
                             _arg(node, 1, "f", "file", "stream", "filename", "fp"))
            return
        if attr in PANDAS_READERS:
            self._record(node, "read", _api(receiver, attr),
                         _arg(node, 0, "filepath_or_buffer", "path", "io", "source", "path_or_buf"))
        elif attr in PANDAS_SQL_READERS:
            self._record(node, "read", _api(receiver, attr), _arg(node, 0, "sql", "query"), target="sql")
        elif attr == "read_sql_table":
            self._record(node, "read", _api(receiver, attr), _arg(node, 0, "table_name"), target="table")
        elif attr in PANDAS_WRITERS and isinstance(func, ast.Attribute):
            self._record(node, "write", f"DataFrame.{attr}",
                         _arg(node, 0, "path_or_buf", "path", "excel_writer", "file"))
        elif attr == "to_sql" and isinstance(func, ast.Attribute):
            self._record(node, "write", "DataFrame.to_sql", _arg(node, 0, "name"), target="table")
        elif receiver in ("np", "numpy") and attr in NUMPY_READERS:
            self._record(node, "read", f"numpy.{attr}", _arg(node, 0, "file", "fname", "filename"))
        elif receiver in ("np", "numpy") and attr in NUMPY_WRITERS:
            self._record(node, "write", f"numpy.{attr}", _arg(node, 0, "file", "fname"))
        elif attr == "tofile" and isinstance(func, ast.Attribute):
            self._record(node, "write", "ndarray.tofile", _arg(node, 0, "fid", "file"))
        elif attr in ("read_text", "read_bytes", "write_text", "write_bytes") and isinstance(func, ast.Attribute):
            mode = "read" if attr.startswith("read") else "write"
            self._record(node, mode, f"Path.{attr}", func.value)
        elif attr == "open" and isinstance(func, ast.Attribute) and receiver not in ("io", "os", "webbrowser", "Image"):
            self.open_index[id(node)] = len(self.facts.accesses)
            self._record(node, _open_mode(_arg(node, 0, "mode")), "Path.open", func.value)
        elif (name in MODEL_LOAD_CALLS or (attr in ("load_model", "load_weights") and node.args)) \
                and not isinstance(self.lookup(name or ""), _DEFINITIONS):  # the repo's own load_model()
            self._record(node, "read", name or attr, _arg(node, 0, "filepath", "fname", "model_file", "path"))
        elif attr in MODEL_SAVE_METHODS and isinstance(func, ast.Attribute) and node.args:
            self._record(node, "write", f"model.{attr}", _arg(node, 0, "filepath", "fname", "path"))
        elif attr == "savefig" and node.args:
            self._record(node, "write", "matplotlib.savefig", _arg(node, 0, "fname"))
        elif name in ("mlflow.log_artifact", "mlflow.log_artifacts", "wandb.save"):
            self._record(node, "read", name, _arg(node, 0, "local_path", "local_dir", "glob_str"))
        elif name == "tf.saved_model.save":
            self._record(node, "write", name, _arg(node, 1, "export_dir"))
        elif (attr == "save" and isinstance(func, ast.Attribute) and node.args
              and _looks_like_model_save(receiver, node, self)):
            self._record(node, "write", "model.save", node.args[0])
        elif isinstance(func, ast.Attribute) and (spark := _spark_direction(func)):
            self._spark(node, spark, attr)
        elif attr == "table" and receiver is not None and receiver.rsplit(".", 1)[-1] in ("spark", "session"):
            self._record(node, "read", "spark.table", _arg(node, 0, "tableName"), target="table")
        elif attr in ("execute", "executemany", "sql", "executescript", "query") and node.args:
            self._sql_call(node, attr, receiver)

    def _spark(self, node: ast.Call, direction: str, attr: str) -> None:
        if direction == "read" and attr in SPARK_READ_TERMINALS:
            target = "table" if attr == "table" else "path"
            self._record(node, "read", f"spark.read.{attr}", _arg(node, 0, "path", "paths", "tableName"), target=target)
        elif direction == "write" and attr in SPARK_WRITE_TERMINALS:
            target = "table" if attr in ("saveAsTable", "insertInto", "toTable") else "path"
            self._record(node, "write", f"spark.write.{attr}", _arg(node, 0, "path", "name", "tableName"),
                         target=target)

    def _sql_call(self, node: ast.Call, attr: str, receiver: str | None) -> None:
        value = self.evaluator.value(node.args[0])
        literal = "".join(p for p in value if isinstance(p, str))
        if looks_like_sql(literal) or (not literal and receiver and any(
                hint in receiver.lower() for hint in SQL_RECEIVER_HINTS)):
            self._record(node, "read", f"sql.{attr}", node.args[0], target="sql")

    def _stream(self, node: ast.Call, mode: str, api: str, stream: ast.AST | None) -> None:
        if stream is None:
            return
        opened = None
        if isinstance(stream, ast.Call) and id(stream) in self.open_index:
            opened = self.open_index[id(stream)]
        elif isinstance(stream, ast.Name) and stream.id in self.handles:
            opened = self.handles[stream.id]
        if opened is None:
            self._record(node, mode, api, stream)
            return
        self.consumed.add(opened)
        source = self.facts.accesses[opened]
        self.facts.accesses.append(RawAccess(node.lineno, mode, api, source.value, source.expression,
                                             function=self._function()))

    def _record(self, node: ast.Call, mode: str, api: str, location: ast.AST | None, target: str = "path") -> None:
        if location is None or (isinstance(location, ast.Call) and (dotted_name(location.func) or "").endswith(
                ("StringIO", "BytesIO"))):  # in-memory buffers are no data location
            return
        value = self.evaluator.value(location)
        expression = source_text(location, 120)
        self.facts.accesses.append(RawAccess(node.lineno, mode, api, value, expression, target, self._function()))

    def _function(self) -> str:
        return ".".join(self.function_names)

    def finish(self) -> CodeFacts:
        self.facts.detected = {name: detector.result() for name, detector in self.detectors.items()}
        self.facts.accesses = [a for i, a in enumerate(self.facts.accesses) if i not in self.consumed]
        for access in self.facts.accesses:  # summaries: which parameter of a function is the location it uses
            params = self.function_params.get(access.function)
            holes = [p for p in access.value if isinstance(p, Hole)]
            if params and len(holes) == 1 and holes[0].text in params:
                self.facts.param_accesses.append(
                    ParamAccess(access.function, holes[0].text, params[holes[0].text], access))
        self.evaluator.describe = False  # module constants: most are no location, and unparsing them is slow
        for name, bound in self.module_scope.items():
            if isinstance(bound, Ref):
                if bound.name:
                    self.facts.constants[name] = (bound,)
            elif (value := self.evaluator.constant(name, bound)) is not None:
                self.facts.constants[name] = value
        return self.facts


def _api(receiver: str | None, attr: str) -> str:
    if receiver in (None, "pd", "pandas"):
        return f"pandas.{attr}"
    return f"{receiver}.{attr}"


def _arg(node: ast.Call, position: int, *keywords: str) -> ast.AST | None:
    for keyword in node.keywords:
        if keyword.arg in keywords:
            return keyword.value
    args = [a for a in node.args if not isinstance(a, ast.Starred)]
    return args[position] if position < len(args) else None


def _open_mode(node: ast.AST | None) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c in node.value for c in "wax+"):
        return "write"
    return "read"


def _spark_direction(func: ast.Attribute) -> str | None:
    """'read'/'write' when the call chain passes through `.read`/`.write` (Spark's DataFrameReader/Writer)."""
    node = func.value
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in ("read", "readStream"):
                return "read"
            if node.attr in ("write", "writeStream", "writeTo"):
                return "write"
            node = node.value
        else:
            return None


def _looks_like_model_save(receiver: str | None, node: ast.Call, collector: _Collector) -> bool:
    if receiver and any(hint in receiver.lower() for hint in ("model", "net", "estimator", "clf", "regressor",
                                                               "classifier", "booster", "pipeline")):
        return True
    literal = "".join(p for p in collector.evaluator.value(node.args[0]) if isinstance(p, str))
    return literal.lower().endswith(MODEL_EXTENSIONS)


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

