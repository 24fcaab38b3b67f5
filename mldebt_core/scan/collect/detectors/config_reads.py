"""Where Python code reads configuration, collected during the scanner's one AST walk.

A read is a chain of accesses below a config-like root: `cfg["train"]["lr"]`,
`cfg.train.lr`, `cfg.get("lr")`, `getattr(cfg, "lr")`, or an environment variable
(`os.environ["X"]`, `os.getenv("X")`, key `$X`). A root is config-like when its name
says so (`cfg`, `train_config`, `self.hparams`…) or it was bound from a config loader
(`yaml.safe_load`, `OmegaConf.load`, a `@hydra.main` parameter…); a chain from any
other root (`np.random.seed`, `df["price"]`) is not a config read.

Hooks see the outermost node of a chain first: they record the whole chain once and
mark its inner nodes, so `cfg["train"]["lr"]` is never also a read of all of `train`.
A key computed at run time (`cfg["model"][name]`) ends the chain as a dynamic read: the
whole subtree under `model` may be read.

The environment is read in more ways than `os.environ[...]`: through a name bound to
it (`env = dict(os.environ)`, `config = dotenv_values(".env")`), with a fallback
(`os.getenv("X") or "default"` is optional, and so is any `getenv`/`.get` lookup, which
returns None for a missing variable: only `os.environ["X"]` requires it), and by pydantic settings classes, each
of whose fields is a variable named `env_prefix` + field, matched case-insensitively.

In modules named like settings (`config.py`, `settings.py`, `params.py`…) the same
detector collects module constants and dataclass field defaults (`config_python`).
"""

import ast
import posixpath
from dataclasses import dataclass

from mldebt_core.scan.collect.detectors.config_files import ParsedConfig
from mldebt_core.scan.collect.detectors.config_python import SettingsModule, is_settings_module_path
from mldebt_core.scan.collect.values import dotted_name

CONFIG_WORDS = frozenset({"cfg", "cfgs", "config", "configs", "conf", "settings", "params", "hparams", "hparam",
                          "hyperparams", "hyperparameters", "opt", "opts", "options", "args", "flags", "hp", "hps"})
CONFIG_LOADERS = frozenset({"yaml.safe_load", "yaml.load", "yaml.full_load", "OmegaConf.load", "OmegaConf.create",
                            "OmegaConf.merge", "omegaconf.OmegaConf.load", "tomllib.load", "tomllib.loads",
                            "tomli.load", "tomli.loads", "toml.load", "toml.loads", "compose", "hydra.compose"})
JSON_LOADERS = frozenset({"json.load", "json.loads"})  # configs, but as often data: roots of kind "json"
WHOLE_METHODS = frozenset({"items", "keys", "values", "to_dict", "to_container", "model_dump", "dict", "copy"})
# `OmegaConf.to_yaml(cfg)` is not one: it renders the config as text to log or save, and no code reads a setting
# from that text.
WHOLE_CALLS = frozenset({"vars", "asdict", "dataclasses.asdict", "dict", "OmegaConf.to_container",
                         "OmegaConf.to_object", "instantiate", "hydra.utils.instantiate"})
_LOADER_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in CONFIG_LOADERS | JSON_LOADERS)
_WHOLE_ATTRS = frozenset(n.rsplit(".", 1)[-1] for n in WHOLE_CALLS)
_MODULE_CALL_ATTRS = _WHOLE_ATTRS | {"get", "pop", "getenv", "main", "initialize"}
_NAME = ast.Name
_INDEX = object()  # a non-string subscript (`[0]`): the read stops at the list it indexes
ENV_LOADERS = frozenset({"dotenv_values", "dotenv.dotenv_values"})  # return the variables of a dotenv file
_FIELD_ENV_KEYWORDS = ("validation_alias", "alias", "env")  # pydantic v2 / v1 names of a field's variable


@dataclass(frozen=True, slots=True)
class RawRead:
    line: int
    key: tuple[str, ...]  # segments below the root; ('$NAME',) for an environment variable
    how: str  # ConfigRead.how
    dynamic: bool = False  # a key below `key` is computed at run time: any of its subtree may be read
    root: str = "name"  # "loader": bound from yaml.safe_load, OmegaConf.load…; "hydra": Hydra's composed config
    #                     or a DictConfig; "json": bound from json.load; "name": only its name says config
    default: bool = False  # `.get(key, default)`: an optional key
    insensitive: bool = False  # an environment variable matched whatever its case (pydantic settings)


@dataclass(frozen=True, slots=True)
class ConfigCode:
    reads: tuple[RawRead, ...]
    attributes: frozenset[str]  # every attribute name the file accesses (Python settings are read as attributes)
    settings_module: ParsedConfig | None
    hydra_config_paths: tuple[str, ...]  # repo paths given as a Hydra config_path
    env_set: frozenset[str] = frozenset()  # environment variables the code sets (`os.environ["X"] = …`)


_LIKE: dict[str, bool] = {}


def config_like(name: str) -> bool:
    like = _LIKE.get(name)
    if like is None:
        lower = name.lower().strip("_")
        like = _LIKE[name] = lower in CONFIG_WORDS or any(w in CONFIG_WORDS for w in lower.split("_")) \
            or lower.endswith(("config", "cfg", "settings", "params"))
    return like


class ConfigReads:
    """The PYTHON_DETECTOR; `ctx` is the walk's context (path, evaluator, function_names, source_lines)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.reads: list[RawRead] = []
        self.attributes: set[str] = set()
        self.skip: set[int] = set()  # ids of inner nodes of a chain already recorded
        # root name -> RawRead.root: "loader" (a config loader), "hydra" (Hydra's config, a DictConfig),
        # "json" (json.load), "name" (a settings module's alias: `import project.settings as S`)
        self.bound: dict[str, str] = {}
        self.hydra_paths: list[str] = []
        self.defaulted: set[int] = set()  # reads with an `or` fallback: `os.getenv("X") or "x"`
        self.env_set: set[str] = set()
        self.settings = SettingsModule(ctx) if is_settings_module_path(ctx.path) else None

    def hooks(self) -> dict:
        hooks = {ast.Attribute: self._attribute, ast.Subscript: self._subscript, ast.Call: self._call,
                 ast.Assign: self._assign, ast.FunctionDef: self._function, ast.AsyncFunctionDef: self._function,
                 ast.Import: self._import, ast.ImportFrom: self._import, ast.ClassDef: self._class,
                 ast.BoolOp: self._fallback}
        if self.settings is not None:
            hooks[ast.Assign] = self._settings_assign
            hooks[ast.AnnAssign] = self.settings.assign
        return hooks

    def result(self) -> ConfigCode | None:
        module = self.settings.result() if self.settings is not None else None
        if not (self.reads or self.attributes or module or self.hydra_paths or self.env_set):
            return None
        return ConfigCode(tuple(self.reads), frozenset(self.attributes), module, tuple(self.hydra_paths),
                          frozenset(self.env_set))

    # -- roots -------------------------------------------------------------------------------------
    def _assign(self, node: ast.Assign) -> None:
        value = node.value
        if len(node.targets) != 1 or node.targets[0].__class__ is not ast.Name:
            return
        if _is_env_source(value):
            self.bound[node.targets[0].id] = "env"  # `env = dict(os.environ)`, `cfg = dotenv_values()`
            return
        if value.__class__ is not ast.Call:
            return
        func = value.func
        if (func.attr if func.__class__ is ast.Attribute else getattr(func, "id", None)) not in _LOADER_NAMES:
            return
        name = dotted_name(func)
        if name in CONFIG_LOADERS:
            self.bound[node.targets[0].id] = "loader"
        elif name in JSON_LOADERS:
            self.bound[node.targets[0].id] = "json"

    def _fallback(self, node: ast.BoolOp) -> None:
        if node.op.__class__ is ast.Or:
            self.defaulted.update(id(value) for value in node.values[:-1])

    def _class(self, node: ast.ClassDef) -> None:
        if self.settings is not None:
            self.settings.klass(node)
        if any((dotted_name(b) or "").endswith("BaseSettings") for b in node.bases):
            self._pydantic_settings(node)

    def _pydantic_settings(self, node: ast.ClassDef) -> None:
        """Each field of a pydantic settings class reads the variable `env_prefix` + its name (or its alias)."""
        prefix = _env_prefix(node)
        for statement in node.body:
            if statement.__class__ is not ast.AnnAssign or statement.target.__class__ is not ast.Name \
                    or statement.target.id == "model_config" or statement.target.id.startswith("_"):
                continue
            name = prefix + statement.target.id
            value = statement.value
            if value.__class__ is ast.Call:
                name = next((k.value.value for k in value.keywords if k.arg in _FIELD_ENV_KEYWORDS
                             and k.value.__class__ is ast.Constant and isinstance(k.value.value, str)), name)
            # optional by design: a field is also set by keyword, a nested model, or a secrets directory
            self.reads.append(RawRead(statement.lineno, ("$" + name.upper(),), "env", default=True, insensitive=True))

    def _settings_assign(self, node: ast.Assign) -> None:
        self._assign(node)
        self.settings.assign(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.settings is not None:
            self.settings.function(node)
        if node.args.args and any(d.__class__ is ast.Call and (dotted_name(d.func) or "").endswith("hydra.main")
                                  for d in node.decorator_list):
            self.bound[node.args.args[0].arg] = "hydra"  # Hydra passes the composed config first
        for arg in node.args.args + node.args.kwonlyargs:
            if arg.annotation is not None and (dotted_name(arg.annotation) or "").endswith("DictConfig"):
                self.bound[arg.arg] = "hydra"

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.asname and config_like(alias.name.rsplit(".", 1)[-1]):
                self.bound.setdefault(alias.asname, "name")

    def _hydra_path(self, call: ast.Call) -> None:
        for keyword in call.keywords:
            if keyword.arg == "config_path":
                value = self.ctx.evaluator.value(keyword.value)
                if len(value) == 1 and isinstance(value[0], str):
                    folder = posixpath.dirname(self.ctx.path)
                    self.hydra_paths.append(posixpath.normpath(posixpath.join(folder, value[0])))

    def _is_root(self, name: str) -> bool:
        like = _LIKE.get(name)
        return (config_like(name) if like is None else like) or name in self.bound

    # -- hooks -------------------------------------------------------------------------------------
    # Fast paths first: most nodes are `self.x`, `np.f(...)`, `x[i]` over a name that is no config root,
    # and a chain of one step over such a name cannot be a read.
    def _attribute(self, node: ast.Attribute) -> None:
        self.attributes.add(node.attr)
        value = node.value
        if value.__class__ is _NAME and _LIKE.get(value.id) is False and value.id not in self.bound:
            return
        if self.skip and id(node) in self.skip:
            self.skip.discard(id(node))
        elif node.ctx.__class__ is ast.Load:
            self._chain(node, node)

    def _subscript(self, node: ast.Subscript) -> None:
        value = node.value
        if value.__class__ is ast.Name and value.id != "environ" and not self._is_root(value.id):
            return
        if self.skip and id(node) in self.skip:
            self.skip.discard(id(node))
            return
        if node.ctx.__class__ is not ast.Load:
            if _is_environ(value) and isinstance(name := self._key(node.slice), str):
                self.env_set.add(name)  # `os.environ["X"] = …`: the code provides it
            return
        if _is_environ(value) or (value.__class__ is ast.Call and _is_env_source(value)):
            self._env(node, node.slice, False)
        else:
            self._chain(node, node)

    def _call(self, node: ast.Call) -> None:
        if self.skip and id(node) in self.skip:
            self.skip.discard(id(node))
            return
        func = node.func
        cls = func.__class__
        if node.keywords:
            self._unpacked(node)
        if cls is ast.Attribute and func.value.__class__ is _NAME and not self._is_root(func.value.id):
            if func.attr in _MODULE_CALL_ATTRS:
                self._module_call(node, func.value.id, func.attr)
            return
        if cls is ast.Name:
            name = func.id
            if name == "getattr" and len(node.args) >= 2:
                self._chain(node, node)
            elif name == "getenv" and node.args:
                self._env(node, node.args[0], True)
            elif name in WHOLE_CALLS and node.args:
                self._whole(node, node.args[0])
            elif name == "initialize":
                self._hydra_path(node)
            return
        if cls is not ast.Attribute:
            return
        attr = func.attr
        if attr == "setdefault" and _is_environ(func.value) and node.args \
                and isinstance(name := self._key(node.args[0]), str):
            self.env_set.add(name)
        elif attr == "get" or attr == "pop":
            if _is_environ(func.value):
                if node.args:
                    self._env(node, node.args[0], attr == "get" or len(node.args) > 1)
                self.skip.add(id(func))
            elif node.args:
                self._chain(node, node)
        elif attr in _WHOLE_ATTRS and node.args and dotted_name(func) in WHOLE_CALLS:
            self._whole(node, node.args[0])
        elif not self._chain(func.value, node, method=attr):
            self.skip.add(id(func))  # `self.model.fit`: no read below its receiver, none with `.fit` either

    def _module_call(self, node: ast.Call, receiver: str, attr: str) -> None:
        """A call of a method on a name that is no config root: `os.getenv`, `hydra.main`, `dataclasses.asdict`."""
        if attr == "putenv" and receiver == "os" and node.args \
                and isinstance(name := self._key(node.args[0]), str):
            self.env_set.add(name)
        elif receiver == "environ" and (attr == "get" or attr == "pop"):
            if node.args:
                self._env(node, node.args[0], attr == "get" or len(node.args) > 1)
        elif attr == "getenv" and receiver == "os" and node.args:
            self._env(node, node.args[0], True)
        elif (attr == "main" or attr == "initialize") and receiver == "hydra":
            self._hydra_path(node)
        elif attr in _WHOLE_ATTRS and node.args and f"{receiver}.{attr}" in WHOLE_CALLS:
            self._whole(node, node.args[0])

    # -- recording ---------------------------------------------------------------------------------
    def _chain(self, outer: ast.AST, current: ast.AST, method: str | None = None) -> bool:
        """Record the read whose outermost access is `outer` (the receiver of `method` when one is called).

        Every node of a recorded chain but `current`, whose hook is running, is marked to skip. True when the
        chain hangs below a config root.
        """
        steps = []
        node = outer
        while True:
            cls = node.__class__
            if cls is ast.Attribute or cls is ast.Subscript:
                steps.append(node)
                node = node.value
            elif cls is ast.Call and node.args and _is_get(node):
                steps.append(node)
                node = node.func.value if node.func.__class__ is ast.Attribute else node.args[0]
            else:
                break
        if node.__class__ is not ast.Name:
            return False
        steps.reverse()  # root first
        if self._is_root(node.id):
            start = 0
        else:
            start = _attribute_root(steps)
            if start is None:
                return False
        self._record(outer, steps[start:], self.bound.get(node.id, "name") if start == 0 else "name",
                      whole=method in WHOLE_METHODS)
        skip = self.skip
        for step in steps:
            if step is not current:
                skip.add(id(step))
            if step.__class__ is ast.Call and step.func.__class__ is ast.Attribute:
                skip.add(id(step.func))
        if method is not None:
            skip.add(id(current.func))
        return True

    def _record(self, outer: ast.AST, steps: list, root: str, whole: bool = False) -> None:
        parts: list[str] = []
        how, dynamic, default = "attribute", False, False
        for step in steps:
            cls = step.__class__
            if cls is ast.Attribute:
                key, kind = step.attr, "attribute"
            elif cls is ast.Subscript:
                key, kind = self._key(step.slice), "subscript"
            else:
                getter = step.func.__class__ is ast.Name
                key, kind = self._key(step.args[1] if getter else step.args[0]), "getattr" if getter else "get"
                default = len(step.args) > (2 if getter else 1) or bool(step.keywords)
            if key is _INDEX:
                break
            how = kind
            if key is None:
                dynamic = True
                break
            parts.append(key)
            default = default and step is outer
        if root == "env":  # `env["X"]`, `env.get("X")` below a name bound to the environment
            if parts or dynamic or whole:
                optional = default or how == "get" or id(outer) in self.defaulted  # `env.get("X")` may be None
                self.reads.append(RawRead(outer.lineno, ("$" + parts[0],) if parts else ("$",), "env",
                                          dynamic=not parts, default=optional))
        elif parts or dynamic or whole:
            self.reads.append(RawRead(outer.lineno, tuple(parts), how, dynamic or whole, root, default))

    def _key(self, node: ast.AST):
        """The literal key of a subscript or get(): a string, _INDEX for an int/slice, None when computed."""
        if node.__class__ is ast.Constant:
            return node.value if isinstance(node.value, str) else _INDEX
        if node.__class__ is ast.Slice:
            return _INDEX
        value = self.ctx.evaluator.value(node)
        return value[0] if len(value) == 1 and isinstance(value[0], str) else None

    def _env(self, node: ast.AST, key: ast.AST, default: bool) -> None:
        name = self._key(key)
        if name is not _INDEX:  # `os.environ[name]` with a computed name may read any variable
            self.reads.append(RawRead(node.lineno, ("$" + name,) if name else ("$",), "env", dynamic=name is None,
                                      default=default or id(node) in self.defaulted))

    def _whole(self, call: ast.Call, arg: ast.AST) -> None:
        """`vars(args)`, `asdict(cfg)`, `instantiate(cfg.model)`: every key below the argument is read."""
        if arg.__class__ is ast.Name and self._is_root(arg.id):
            self.reads.append(RawRead(call.lineno, (), "attribute", dynamic=True, root=self.bound.get(arg.id, "name")))

    def _unpacked(self, call: ast.Call) -> None:
        for keyword in call.keywords:
            if keyword.arg is None:  # `f(**cfg)`; `f(**cfg["model"])` is a subscript read of `model`
                self._whole(call, keyword.value)


def _is_get(call: ast.Call) -> bool:
    func = call.func
    if func.__class__ is ast.Attribute:
        return func.attr == "get" or func.attr == "pop"
    return func.__class__ is ast.Name and func.id == "getattr" and len(call.args) >= 2


def _is_environ(node: ast.AST) -> bool:
    if node.__class__ is ast.Attribute:
        return node.attr == "environ" and node.value.__class__ is ast.Name and node.value.id == "os"
    return node.__class__ is ast.Name and node.id == "environ"


def _is_env_source(node: ast.AST) -> bool:
    """`os.environ`, `dict(os.environ)`, `os.environ.copy()`, `dotenv_values(...)`: the environment as a mapping."""
    if _is_environ(node):
        return True
    if node.__class__ is not ast.Call:
        return False
    func = node.func
    if func.__class__ is ast.Name and func.id == "dict":
        return len(node.args) == 1 and _is_environ(node.args[0])
    if func.__class__ is ast.Attribute and func.attr == "copy":
        return _is_environ(func.value)
    return (dotted_name(func) or "") in ENV_LOADERS


def _env_prefix(node: ast.ClassDef) -> str:
    """`model_config = SettingsConfigDict(env_prefix="APP_")` or `class Config: env_prefix = "APP_"`."""
    for statement in node.body:
        if statement.__class__ in (ast.Assign, ast.AnnAssign) and statement.value.__class__ is ast.Call:
            for keyword in statement.value.keywords:
                if keyword.arg == "env_prefix" and keyword.value.__class__ is ast.Constant:
                    return str(keyword.value.value)
        elif statement.__class__ is ast.ClassDef and statement.name == "Config":
            for inner in statement.body:
                if inner.__class__ is ast.Assign and any(t.__class__ is ast.Name and t.id == "env_prefix"
                                                         for t in inner.targets) \
                        and inner.value.__class__ is ast.Constant:
                    return str(inner.value.value)
    return ""


def _attribute_root(steps: list) -> int | None:
    """`self.cfg.lr`: the index of the first step after a config-like attribute reached only by attributes."""
    for index, step in enumerate(steps):
        if step.__class__ is not ast.Attribute:
            return None
        if config_like(step.attr):
            return index + 1
    return None
