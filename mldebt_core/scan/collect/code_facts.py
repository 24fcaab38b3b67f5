"""What the scanner's one pass learns about a file: small, picklable records that the
worker processes send back, for `resolve/` to join across files."""

from dataclasses import dataclass, field

from mldebt_core.scan.collect.values import Ref, Value


@dataclass(frozen=True, slots=True)
class RawAccess:
    line: int
    mode: str  # "read" | "write"
    api: str
    value: Value
    expression: str
    target: str = "path"  # "path" | "sql" (value is SQL text) | "table" (value is a table name)
    function: str = ""
    predicted: bool = False  # a write of a value that comes from a model's predictions (collect/predictions.py)


@dataclass(frozen=True, slots=True)
class ImportFact:
    line: int
    module: str  # as written ('' for `from . import x`)
    level: int
    names: tuple[str, ...]  # imported names for `from` imports, () for `import x`


@dataclass(frozen=True, slots=True)
class ParamAccess:
    """A module-level function reads or writes a location built from the parameters its caller passes
    (`save_json(data, name, folder)` writes `os.path.join(folder, name)`)."""
    function: str
    params: tuple[tuple[str, int | None], ...]  # (parameter, position; None for keyword-only) of each hole
    access: RawAccess  # its value holds Hole(param) where each of the caller's arguments goes


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call of a plain name with at least one argument that is (partly) a literal location."""
    line: int
    callee: str
    bound: Ref | None  # the import the callee's name comes from; None for this module's own functions
    args: tuple[tuple[Value, str] | None, ...]  # per position: (value, expression), None when nothing known
    kwargs: tuple[tuple[str, Value, str], ...]
    function: str
    attribute_of: str = ""  # `utils.save_model(...)`: the module name the function is an attribute of
    predicted: bool = False  # an argument holds predictions: what the helper writes of it is a prediction


@dataclass(slots=True)
class CodeFacts:
    imports: list[ImportFact] = field(default_factory=list)
    accesses: list[RawAccess] = field(default_factory=list)
    constants: dict[str, Value] = field(default_factory=dict)
    runs: list[tuple[int, str]] = field(default_factory=list)  # (line, script or module) a shell step runs
    fits: bool = False
    predicts: bool = False
    detected: dict[str, object] = field(default_factory=dict)  # detector name -> its per-file result
    cells: tuple[tuple[int, int], ...] = ()  # notebooks: (first source line, cell number) of each code cell
    param_accesses: list[ParamAccess] = field(default_factory=list)
    call_sites: list[CallSite] = field(default_factory=list)
