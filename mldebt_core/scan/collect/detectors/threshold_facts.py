"""Per-file facts for fixed thresholds (§ 7) and plain-old-data predictions (§ 5), collected
on the scanner's one AST walk: numeric literals compared with a value that comes from a
model, and writes in predicting code with no version or timestamp nearby.
`analyse/thresholds.py` turns them into findings.

A literal is also the default of a parameter the comparison falls back to
(`def __init__(self, threshold=0.9)` … `prob < self.threshold`); a named constant is not.
A name alone proves nothing (`score` may be a rating, a metric or a parameter), so a
literal is a threshold only when what it is compared with flows from a model in this
file: a `predict*` call or a call of a model (`model(x)`, `self.net(x)`), through
assignments, indexing, loops and value-keeping wrappers (`proba[:, 1]`,
`torch.sigmoid(logits)`, `for p in proba`); or a score-named column of a frame that
holds such an output (`df["pred"] = model.predict(X)`, `result[0]["score"]`). A
score-named column of a frame read from a file is recorded with the line of the read:
the analysis keeps it only when the lineage says that file holds predictions.

Never a threshold: 0 and 1 (signs, bounds of a probability, class labels), equality
(`pred == 1` checks a label), aggregates (`len(preds) > 10`, `preds.mean()`), asserts,
and colour bands of a UI (`color = "red" if p > 0.8 else "green"`).
"""

import ast
import re
from dataclasses import dataclass

from mldebt_core.scan.collect.access_apis import PREDICT_METHODS
from mldebt_core.scan.collect.values import Ref, source_text

SCORE_WORDS = frozenset({"score", "scores", "prob", "probs", "proba", "probas", "probability", "probabilities",
                         "pred", "preds", "prediction", "predictions", "predicted", "confidence", "likelihood",
                         "logit", "logits", "propensity", "risk", "yhat"})
# A call of one of these names runs a model on its arguments (`model(x)`, `self.classifier(batch)`).
MODEL_WORDS = frozenset({"model", "clf", "classifier", "regressor", "estimator", "net", "network", "predictor",
                         "booster", "learner", "detector", "forecaster", "recommender"})
# ... unless a verb says it builds, loads or trains one (`build_model(cfg)`, `load_model(path)`).
BUILDER_WORDS = frozenset({"build", "create", "make", "get", "load", "init", "train", "fit", "save", "setup",
                           "compile", "define", "new", "register", "wrap", "export", "evaluate", "eval"})
PREDICTING_FUNCTIONS = ("predict", "infer", "inference", "classify")  # a repo's own `predict_batch(rows)`
# Calls and attributes that keep the value of their input: a probability stays one through them.
KEEPING_CALLS = frozenset({"sigmoid", "softmax", "expit", "asarray", "array", "float", "squeeze", "item", "numpy",
                           "cpu", "detach", "flatten", "ravel", "tolist", "to_numpy", "max", "amax", "nanmax",
                           "reshape", "exp", "round", "clip", "abs", "tensor", "Series"})
KEEPING_ATTRIBUTES = frozenset({"values", "data", "T", "array"})
FRAME_ROWS = frozenset({"iterrows", "itertuples", "to_dicts", "iter_rows"})
THRESHOLD_KEYWORDS = frozenset({"threshold", "thresh", "cutoff", "cut_off", "decision_threshold", "min_score",
                                "score_threshold", "prob_threshold", "min_confidence", "confidence_threshold"})
NEVER_THRESHOLDS = (0, 1)  # sign checks, bounds of a probability, class labels
_INEQUALITIES = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_COLOUR = re.compile(r"^(?:#[0-9a-f]{3,8}|rgba?\(.*|(?:light|dark)?(?:red|green|orange|yellow|amber|gr[ae]y|blue|"
                     r"gold|crimson|lime|salmon|tomato)|success|warning|danger|error|info|[^\x00-\x7f]{1,3})$", re.I)
_STYLE_NAMES = re.compile(r"colou?r|style|emoji|icon|badge|css", re.I)
_METADATA = re.compile(r"version|model_id|model_name|run_id|timestamp|scored_at|created_at|predicted_at|"
                       r"datetime|\bnow\(|\btoday\(|time\.time|__version__", re.I)
_MAX_HOPS = 8
MODEL = "model"  # Threshold.source: the value comes from a model called in this file
READ = "read"  # ... from a score column of data read at `read_line` (kept if that data holds predictions)


@dataclass(frozen=True, slots=True)
class Threshold:
    line: int
    literal: float
    expression: str
    function: str
    source: str = MODEL
    read_line: int | None = None  # for READ: the line of the call that read the frame


@dataclass(frozen=True, slots=True)
class BareWrite:
    line: int
    expression: str  # the written location as written in the code


@dataclass(frozen=True, slots=True)
class ThresholdFacts:
    thresholds: tuple[Threshold, ...]
    bare_prediction_writes: tuple[BareWrite, ...]


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _number(node.operand)
        return -value if value is not None else None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _words(name: str) -> list[str]:
    return name.lower().split("_")


def _score_named(name: str) -> bool:
    return any(word in SCORE_WORDS for word in re.split(r"[^a-z]+", name.lower()))


def _last_name(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None


def _runs_model(func: ast.AST) -> bool:
    """`model(x)`, `self.net(x)`, `clf.predict_proba(x)`, `predict_batch(rows)`: a call that outputs predictions."""
    name = _last_name(func)
    if name is None:
        return False
    if isinstance(func, ast.Attribute) and name in PREDICT_METHODS:
        return True
    if name[:1].isupper():
        return False  # a constructor: `Pipeline(steps)` builds a model, it predicts nothing
    words = _words(name)
    if words[0] in PREDICTING_FUNCTIONS:
        return True
    return words[-1] in MODEL_WORDS and not BUILDER_WORDS.intersection(words)


def _column(node: ast.Subscript) -> str | None:
    key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


class ThresholdCollector:
    def __init__(self, ctx):
        self.ctx = ctx
        self.thresholds: list[Threshold] = []
        self.skip: set[int] = set()  # compares of colour bands
        self.asserted = (0, -1)  # lines of the assert being visited
        self.iterated: dict[str, ast.AST] = {}  # loop variable -> what it iterates (`for p in proba`)
        self.model_columns: set[tuple[str, str]] = set()  # (frame, column) assigned from a model's output
        self.defaults: set[int] = set()  # ids of numeric parameter defaults (`def __init__(self, threshold=0.9)`)
        self.attribute_defaults: dict[str, float] = {}  # `self.threshold = threshold` -> that default

    def hooks(self):
        return {ast.Compare: self.compare, ast.Call: self.call, ast.Assert: self.assertion,
                ast.FunctionDef: self.function, ast.AsyncFunctionDef: self.function,
                ast.If: self.branch, ast.IfExp: self.branch, ast.For: self.loop, ast.Assign: self.assign,
                ast.ListComp: self.comprehension, ast.GeneratorExp: self.comprehension,
                ast.SetComp: self.comprehension, ast.DictComp: self.comprehension}

    # -- where values come from ------------------------------------------------------------------
    def loop(self, node: ast.For) -> None:
        self._iterate(node.target, node.iter)

    def comprehension(self, node) -> None:
        for generator in node.generators:
            self._iterate(generator.target, generator.iter)

    def _iterate(self, target: ast.AST, source: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.iterated[target.id] = ast.Subscript(value=source, slice=ast.Constant(0))  # an element of it
        elif isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[-1], ast.Name) \
                and isinstance(source, ast.Call):
            called = _last_name(source.func)
            if called in FRAME_ROWS:
                self.iterated[target.elts[-1].id] = source  # `for _, row in df.iterrows()`: a row of df
            elif called == "enumerate" and source.args and len(target.elts) == 2:  # `for i, p in enumerate(proba)`
                self.iterated[target.elts[-1].id] = ast.Subscript(value=source.args[0], slice=ast.Constant(0))

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.defaults.update(id(d) for d in [*node.args.defaults, *node.args.kw_defaults]
                             if d is not None and _number(d) is not None)

    def assign(self, node: ast.Assign) -> None:
        """`df["pred"] = model.predict(X)`: that column of that frame now holds predictions;
        `self.threshold = threshold`: that attribute holds the parameter's literal default."""
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                    and (column := _column(target)) is not None and self._source(node.value) == (MODEL, None):
                self.model_columns.add((target.value.id, column))
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == "self" and (value := self._default(node.value)) is not None:
                self.attribute_defaults[target.attr] = value

    def _default(self, node: ast.AST) -> float | None:
        """The literal default of the parameter `node` names, if it names one."""
        if isinstance(node, ast.Name) and id(bound := self.ctx.lookup(node.id)) in self.defaults:
            return _number(bound)
        return None

    def _literal(self, node: ast.AST) -> float | None:
        """A literal, or the literal default a parameter (or `self.` attribute set from one) falls back to."""
        value = _number(node)
        if value is None:
            value = self._default(node)
        if value is None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            value = self.attribute_defaults.get(node.attr)
        return value

    def _source(self, node: ast.AST, hops: int = 0) -> tuple[str, int | None] | None:
        """(MODEL, None) when `node`'s value comes from a model run in this file, (READ, line) for a score column
        of a frame read by the call on `line`, None when neither is shown."""
        if hops > _MAX_HOPS:
            return None
        cls = node.__class__
        if cls is ast.Name:
            bound = self.iterated.get(node.id) if node.id in self.iterated else self.ctx.lookup(node.id)
            return self._source(bound, hops + 1) if isinstance(bound, ast.expr) else None
        if cls is ast.Call:
            func = node.func
            name = _last_name(func)
            if _runs_model(func) and (node.args or node.keywords):
                return MODEL, None
            if name in FRAME_ROWS and isinstance(func, ast.Attribute):
                return self._frame(func.value, hops + 1)
            if name in KEEPING_CALLS:
                if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name)
                                                            and self._is_module(func.value.id)):
                    return self._source(func.value, hops + 1)  # `proba.max()`, `logits.sigmoid()`
                return self._source(node.args[0], hops + 1) if node.args else None  # `torch.sigmoid(logits)`
            return None
        if cls is ast.Subscript:
            column = _column(node)
            if column is None:
                return self._source(node.value, hops + 1)  # `proba[:, 1]`, `preds[i]`
            if not _score_named(column):
                return None
            if isinstance(node.value, ast.Name) and (node.value.id, column) in self.model_columns:
                return MODEL, None
            return self._frame(node.value, hops + 1)
        if cls is ast.Attribute:
            if node.attr in KEEPING_ATTRIBUTES:
                return self._source(node.value, hops + 1)
            return self._frame(node.value, hops + 1) if _score_named(node.attr) else None
        if cls is ast.BinOp and (_number(node.left) is not None or _number(node.right) is not None):
            return self._source(node.right if _number(node.left) is not None else node.left, hops + 1)
        return None

    def _frame(self, node: ast.AST, hops: int) -> tuple[str, int | None] | None:
        """Where a frame (or a row, or a model's structured output) holding a score column comes from."""
        source = self._source(node, hops)
        if source is not None:
            return source
        while isinstance(node, ast.Name) and hops <= _MAX_HOPS:
            bound = self.iterated.get(node.id) if node.id in self.iterated else self.ctx.lookup(node.id)
            if isinstance(bound, ast.Call) and _last_name(bound.func) in FRAME_ROWS \
                    and isinstance(bound.func, ast.Attribute):
                node, hops = bound.func.value, hops + 1
                continue
            return (READ, bound.lineno) if isinstance(bound, ast.Call) else None
        return None

    def _is_module(self, name: str) -> bool:
        return isinstance(self.ctx.lookup(name), Ref)

    # -- what is not a threshold ---------------------------------------------------------------------
    def assertion(self, node: ast.Assert) -> None:
        self.asserted = (node.lineno, node.end_lineno or node.lineno)  # its compares are checks, visited next

    def branch(self, node: ast.If | ast.IfExp) -> None:
        """`color = "red" if p > 0.8 else "green"`: a colour band of a UI decides nothing about the model."""
        body = node.body if isinstance(node.body, list) else [node.body]
        if body and all(_styles(statement) for statement in body):
            self.skip.update(id(n) for n in ast.walk(node.test) if isinstance(n, ast.Compare))

    # -- thresholds ----------------------------------------------------------------------------------
    def compare(self, node: ast.Compare) -> None:
        if id(node) in self.skip or self.asserted[0] <= node.lineno <= self.asserted[1]:
            return
        operands = [node.left, *node.comparators]
        for left, op, right in zip(operands, node.ops, operands[1:]):
            if not isinstance(op, _INEQUALITIES):  # `pred == 1` checks a label, it is no threshold
                continue
            for literal, other in ((left, right), (right, left)):
                value = self._literal(literal)
                if value is not None and value not in NEVER_THRESHOLDS and (source := self._source(other)):
                    self._add(node.lineno, value, node, source)

    def call(self, node: ast.Call) -> None:
        """`binarize(proba, threshold=0.35)`: a threshold keyword beside a model's output."""
        for keyword in node.keywords:
            if keyword.arg not in THRESHOLD_KEYWORDS or (value := _number(keyword.value)) is None \
                    or abs(value) < self.ctx.settings.code.threshold_min_magnitude or value in NEVER_THRESHOLDS:
                continue
            for argument in [*node.args, *(k.value for k in node.keywords if k is not keyword)]:
                if (source := self._source(argument)) is not None:
                    self._add(keyword.value.lineno, value, keyword, source)
                    break

    def _add(self, line: int, value: float, node: ast.AST, source: tuple[str, int | None]) -> None:
        self.thresholds.append(Threshold(line, value, source_text(node, 80), ".".join(self.ctx.function_names),
                                         *source))

    def result(self) -> ThresholdFacts:
        return ThresholdFacts(tuple(self.thresholds), tuple(self._bare_writes()))

    def _bare_writes(self):
        """Writes in predicting code whose enclosing function never mentions a version or a timestamp."""
        if not self.ctx.facts.predicts:
            return
        lines = self.ctx.source_lines
        for access in self.ctx.facts.accesses:
            if access.mode != "write":
                continue
            start, end = self.ctx.function_span(access.line)
            if not _METADATA.search("\n".join(lines[start - 1:end])):
                yield BareWrite(access.line, access.expression)


def _styles(statement: ast.AST) -> bool:
    """A branch that only picks a colour, a style or an icon."""
    if isinstance(statement, ast.Constant):
        return isinstance(statement.value, str) and bool(_COLOUR.match(statement.value.strip()))
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        named = any(_STYLE_NAMES.search(source_text(t, 60)) for t in targets)
        return named or (statement.value is not None and _styles(statement.value))
    if isinstance(statement, ast.Return) and statement.value is not None:
        return _styles(statement.value)
    if isinstance(statement, ast.Expr):
        return _styles(statement.value)
    return False
