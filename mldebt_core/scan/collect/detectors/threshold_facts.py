"""Per-file facts for fixed thresholds (§ 7) and plain-old-data predictions (§ 5), collected
on the scanner's one AST walk: numeric literals compared with a score or passed as
`threshold=`, and writes in predicting code with no version or timestamp nearby.
`analyse/thresholds.py` turns them into findings.
"""

import ast
import re
from dataclasses import dataclass

from mldebt_core.scan.collect.values import source_text

SCORE_WORDS = frozenset({"score", "scores", "prob", "probs", "proba", "probas", "probability", "probabilities",
                         "pred", "preds", "prediction", "predictions", "predicted", "predict", "confidence",
                         "likelihood", "logit", "logits", "propensity", "risk"})
THRESHOLD_KEYWORDS = frozenset({"threshold", "thresh", "cutoff", "cut_off", "decision_threshold", "min_score",
                                "score_threshold", "prob_threshold", "min_confidence", "confidence_threshold"})
_INEQUALITIES = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_METADATA = re.compile(r"version|model_id|model_name|run_id|timestamp|scored_at|created_at|predicted_at|"
                       r"datetime|\bnow\(|\btoday\(|time\.time|__version__", re.I)


@dataclass(frozen=True, slots=True)
class Threshold:
    line: int
    literal: float
    expression: str
    function: str


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


def _mentions_score(node: ast.AST) -> bool:
    """Whether an operand is a score: `proba`, `y_pred[i]`, `model.predict_proba(x)[:, 1]`, `row.score`.

    Only the name of what is compared counts: `scores.ndim` is a dimension, not a score.
    """
    while isinstance(node, (ast.Subscript, ast.Call)):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Name):
        name = node.id
    else:
        return False
    return any(word in SCORE_WORDS for word in name.lower().split("_"))


class ThresholdCollector:
    def __init__(self, ctx):
        self.ctx = ctx
        self.thresholds: list[Threshold] = []

    def hooks(self):
        return {ast.Compare: self.compare, ast.keyword: self.keyword}

    def compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for left, op, right in zip(operands, node.ops, operands[1:]):
            if not isinstance(op, _INEQUALITIES):  # `pred == 1` checks a label, it is no threshold
                continue
            for literal, other in ((left, right), (right, left)):
                value = _number(literal)
                if value is not None and _mentions_score(other):
                    self._add(node.lineno, value, node)

    def keyword(self, node: ast.keyword) -> None:
        if node.arg in THRESHOLD_KEYWORDS and (value := _number(node.value)) is not None \
                and abs(value) >= self.ctx.settings.code.threshold_min_magnitude:
            self._add(node.value.lineno, value, node)

    def _add(self, line: int, value: float, node: ast.AST) -> None:
        self.thresholds.append(Threshold(line, value, source_text(node, 80), ".".join(self.ctx.function_names)))

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
