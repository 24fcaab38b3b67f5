"""Fixed thresholds (§ 7) and predictions written as plain old data (§ 5).

A fixed threshold is a numeric literal compared with a model score, probability or
prediction, or passed as `threshold=`: it goes stale silently when the model is
retrained. Predictions written with no model version or timestamp beside them
cannot be traced back to the model that made them.
"""

import ast
import re
from dataclasses import dataclass

from mldebt_core.scan.detectors.base import Analysis, RepoFacts
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.lineage import is_test_file
from mldebt_core.scan.values import source_text

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


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings
    findings = []
    predictions = {a.id for a in repo.lineage.artifacts.values() if a.role == "prediction"}
    for path, facts in sorted(repo.detected("thresholds").items()):
        if is_test_file(path):
            continue
        for t in facts.thresholds:
            findings.append(make_finding(
                "fixed_threshold", settings, path, t.line, anchor=f"{t.function}|{t.expression}",
                message=f"hard-coded threshold {t.literal:g} in `{t.expression}`: it goes stale when the model "
                        "is retrained; derive it from validation data or make it a versioned setting",
                evidence={"literal": t.literal, "expression": t.expression, "function": t.function},
                confidence=80))
        written = {(a.file, a.line): a.artifact for a in repo.accesses if a.mode == "write"}
        for write in facts.bare_prediction_writes:
            artifact = written.get((path, write.line))
            if artifact not in predictions:
                continue
            findings.append(make_finding(
                "plain_old_data", settings, path, write.line, anchor=artifact,
                message=f"predictions written to {artifact.partition(':')[2]} with no model version or "
                        "timestamp beside them: nobody can tell later which model made them",
                evidence={"artifact": artifact, "expression": write.expression}, confidence=70))
    return Analysis(findings=findings)
