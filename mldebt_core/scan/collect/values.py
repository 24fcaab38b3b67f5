"""Static evaluation of path-like expressions, without running anything.

A value is a tuple of parts: literal strings, `Ref`s to names imported from other
modules (resolved after every file is parsed) and `Hole`s for what is only known
at run time. `'{expr}'` marks a hole when a value is rendered.
"""

import ast
import posixpath
import re
import string
from dataclasses import dataclass

FILE_ANCHOR = "\x00repo/"  # prefix of values derived from __file__: repository-relative paths
_ROOT = FILE_ANCHOR.rstrip("/")


@dataclass(frozen=True, slots=True)
class Ref:
    module: str  # as written in the import statement
    level: int  # relative-import level
    name: str


@dataclass(frozen=True, slots=True)
class Hole:
    text: str


Part = str | Ref | Hole
Value = tuple[Part, ...]

_PATH_CONSTRUCTORS = frozenset({"Path", "PurePath", "PosixPath", "pathlib.Path", "pathlib.PurePath",
                                "os.path.join", "path.join", "posixpath.join", "join", "joinpath"})
_IDENTITY_CALLS = frozenset({"str", "os.fspath", "os.path.abspath", "os.path.realpath", "os.path.normpath",
                             "os.path.expanduser", "abspath", "realpath", "normpath", "Path.resolve",
                             "text", "sqlalchemy.text", "sa.text", "dedent", "textwrap.dedent"})
_IDENTITY_METHODS = frozenset({"resolve", "absolute", "expanduser", "as_posix", "strip", "rstrip"})
_PATH_METHODS = _IDENTITY_METHODS | {"joinpath", "join", "with_suffix", "with_name"}
_MAX_HOLE_TEXT = 40
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MAYBE_PATH = (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call, ast.Name, ast.Attribute)


def source_text(node: ast.AST, limit: int) -> str:
    """The code of `node`, cut to `limit` characters."""
    try:
        text = dotted_name(node) or ast.unparse(node)
    except ValueError:  # an int literal beyond str()'s digit limit (`0x` and 5,000 f's) must not stop the scan
        text = "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hole(node: ast.AST) -> Value:
    return (Hole(source_text(node, _MAX_HOLE_TEXT)),)


def dotted_name(node: ast.AST) -> str | None:
    """'a.b.c' for a chain of attributes over a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Evaluator:
    """Evaluates expressions against the assignments seen so far in a file.

    `lookup(name)` returns the expression a name was last bound to (local scope
    first, then module scope) or a `Ref` when the name was imported.
    """

    def __init__(self, file_path: str, lookup, depth: int = 6, handles=None):
        self.file_anchor = FILE_ANCHOR + file_path
        self.lookup = lookup
        self.depth = depth
        self.describe = True  # False: holes get a cheap text (a dotted name or "…"), no ast.unparse
        self.handles = handles  # (evaluator, call, depth) -> Value | None: client handles (buckets, blobs…)
        self.previous: dict[int, ast.AST] = {}  # id(bound expression) -> the name's binding before it
        self._active: set[int] = set()  # bindings being evaluated: `p = join("configs", p)` reads the previous p

    def hole(self, node: ast.AST) -> Value:
        return hole(node) if self.describe else (Hole(dotted_name(node) or "…"),)

    def constant(self, name: str, node: ast.AST) -> Value | None:
        """A module constant's value, for other modules to import; None when nothing of it is known."""
        if not isinstance(node, _MAYBE_PATH):
            return None
        value = self.value(node)
        return value if any(isinstance(p, (str, Ref)) for p in value) else None

    def value(self, node: ast.AST, depth: int = 0) -> Value:
        if depth > self.depth:
            return self.hole(node)
        if isinstance(node, ast.Constant):
            return (node.value,) if isinstance(node.value, str) else self.hole(node)
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return (self.file_anchor,)
            bound = self.lookup(node.id)
            if isinstance(bound, Ref):
                return (bound,)
            while bound is not None and id(bound) in self._active:  # the name inside its own reassignment
                bound = self.previous.get(id(bound))
            if isinstance(bound, Ref):
                return (bound,)
            if bound is not None and not isinstance(bound, (*_DEFINITIONS, Ref)):
                self._active.add(id(bound))
                try:
                    return self.value(bound, depth + 1)  # a name indirection: the only step that counts
                finally:
                    self._active.discard(id(bound))
            return self.hole(node)
        if isinstance(node, ast.JoinedStr):
            parts: list[Part] = []
            for piece in node.values:
                if isinstance(piece, ast.Constant):
                    parts.append(piece.value)
                elif isinstance(piece, ast.FormattedValue):
                    inner = self.value(piece.value, depth)
                    parts.extend(inner if piece.format_spec is None else self.hole(piece.value))
            return merge(parts)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Add):
                return merge(self.value(node.left, depth) + self.value(node.right, depth))
            if isinstance(node.op, ast.Div):
                return join([self.value(node.left, depth), self.value(node.right, depth)])
            return self.hole(node)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "parents" and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, int) and 0 <= node.slice.value < 16:
            value = self.value(node.value.value, depth)  # p.parents[1] is p.parent.parent
            for _ in range(node.slice.value + 1):
                value = parent(value, node)
            return value
        if isinstance(node, ast.Attribute):
            if node.attr == "parent":
                return parent(self.value(node.value, depth), node)
            if isinstance(node.value, ast.Name):
                bound = self.lookup(node.value.id)
                if isinstance(bound, Ref) and bound.name == "":  # `import pkg.paths as p; p.DATA`
                    return (Ref(bound.module, bound.level, node.attr),)
            return self.hole(node)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return self.hole(node)

    def _call(self, node: ast.Call, depth: int) -> Value:
        func = node.func
        name = dotted_name(func)

        def args() -> list[Value]:
            return [self.value(a, depth) for a in node.args if not isinstance(a, ast.Starred)]

        if name in _PATH_CONSTRUCTORS and node.args and name not in ("join", "joinpath"):
            return join(args())
        if name in _IDENTITY_CALLS and len(node.args) == 1:
            return args()[0]
        if name in ("os.path.dirname", "dirname") and len(node.args) == 1:
            return parent(args()[0], node)
        if isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
            receiver = self.value(func.value, depth)
            if func.attr == "joinpath" or (func.attr == "join" and not _is_str_literal(func.value)):
                return join([receiver, *args()])
            if func.attr in _IDENTITY_METHODS and not node.args:
                return receiver
            if func.attr == "with_suffix" and len(node.args) == 1:
                suffix = args()[0]
                if _literal(receiver) and _literal(suffix):
                    return (posixpath.splitext(receiver[0])[0] + suffix[0],)
            if func.attr == "with_name" and len(node.args) == 1:
                return join([parent(receiver, node), args()[0]])
        if isinstance(func, ast.Attribute) and func.attr == "format" and _is_str_literal(func.value):
            return self._format(func.value.value, node, depth)
        if name in ("os.getenv", "os.environ.get", "getenv") and node.args:
            if len(node.args) > 1:  # the default is where the data lives unless someone overrides it
                return self.value(node.args[1], depth)
            env = node.args[0]
            return (Hole("$" + env.value if isinstance(env, ast.Constant) else "$env"),)
        if self.handles is not None and (value := self.handles(self, node, depth)) is not None:
            return value
        return self.hole(node)

    def _format(self, template: str, node: ast.Call, depth: int) -> Value:
        """`"data/{}_{day}.csv".format(name, day=d)`: the template with each field's argument in place."""
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return self.hole(node)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        parts: list[Part] = []
        auto = 0
        for literal, field, spec, _ in fields:
            parts.append(literal)
            if field is None:
                continue
            if field == "":
                field, auto = str(auto), auto + 1
            argument = (positional[int(field)] if int(field) < len(positional) else None) if field.isdigit() \
                else keywords.get(field)
            if argument is None or spec:  # `{row.id}`, `{x[0]}`, `{v:%Y}`: a run-time value
                parts.append(Hole(field))
            else:
                parts.extend(self.value(argument, depth))
        return merge(parts)


def _is_str_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _literal(value: Value) -> bool:
    return len(value) == 1 and isinstance(value[0], str)


def join(values: list[Value]) -> Value:
    """Path join: a later absolute literal or URL restarts the path, as os.path.join does."""
    out: list[Part] = []
    for value in values:
        if value and isinstance(value[0], str) and (value[0].startswith(("/", FILE_ANCHOR)) or "://" in value[0]):
            out = []
        if out:
            out.append("/")
        out.extend(value)
    return merge(out)


def merge(parts) -> Value:
    """Adjacent literal parts as one string, so that a joined literal path stays one literal."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


def parent(value: Value, node: ast.AST) -> Value:
    if _literal(value):
        text = value[0].rstrip("/")
        head = posixpath.dirname(text)
        if text == _ROOT or head == _ROOT:  # never above the repository root
            return (FILE_ANCHOR,)
        return (head,) if head else (".",)
    return hole(node)


def render_raw(value: Value) -> str:
    """The value as text, holes as `{expr}`, not normalised."""
    return "".join(p if isinstance(p, str) else "{" + (p.text if isinstance(p, Hole) else p.name) + "}"
                   for p in value)


def render(value: Value) -> tuple[str | None, str]:
    """(location, resolution) of a fully Ref-resolved value."""
    text = render_raw(value)
    literal = "".join(p for p in value if isinstance(p, str))
    if all(isinstance(p, str) for p in value):
        return normalize_location(text), "resolved"
    if literal.strip("/. ") and any(c.isalnum() for c in literal):
        return normalize_location(text), "partial"
    return None, "unresolved"


_URI = re.compile(r"^[a-zA-Z][\w+.-]+:/")  # s3://, https://, models:/name/1, runs:/id/model


def normalize_location(text: str) -> str:
    if _URI.match(text) and not text.startswith("file:"):
        return text
    if text.startswith(_ROOT):
        text = text[len(_ROOT):].lstrip("/") or "."
    elif text.startswith("./"):
        text = text[2:]
    if text.startswith("/"):
        return posixpath.normpath(text)
    normal = posixpath.normpath(text) if text else text
    return normal
