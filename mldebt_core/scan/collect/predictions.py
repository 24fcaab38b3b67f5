"""Is a written value a model's output? Followed within the function, from the write back to a call that
predicts: `predict*`, `model(x)`, `generate`, an LLM call (OpenAI, Anthropic, LangChain, Gemini…).

`preds = model.predict(X); df["score"] = preds; df.to_parquet(out)` writes predictions: the write's
value `df` took `preds` in a subscript assignment (an augment), and `preds` is bound to a predict call.
Reductions stop the trail: a metric (`accuracy_score(y, model.predict(X))`), a loss or a count computed
from predictions is an evaluation, not a prediction.
"""

import ast
import functools
import re

from mldebt_core.scan.collect.access_apis import PREDICT_METHODS
from mldebt_core.scan.collect.values import Ref, dotted_name

GENERATE_METHODS = frozenset({"generate", "generate_content", "predict_on_batch", "predict_step"})
LLM_CALLS = ("chat.completions.create", "completions.create", "ChatCompletion.create", "Completion.create",
             "messages.create", "responses.create", "ollama.chat", "litellm.completion", "acompletion")
_LLM_RECEIVER = re.compile(r"(?:^|_)(?:llm|chain|agent|chat|rag|qa|model)(?:$|_|\d)")
_MODEL_NAME = re.compile(r"(?:^|_)(?:model|net|clf|classifier|regressor|estimator|predictor|pipe|pipeline|llm|nlp)"
                         r"(?:$|_|\d)")
_REDUCER = re.compile(r"(?:^|_)(?:score|error|loss|accuracy|auc|precision|recall|f1|metric|metrics|report|matrix|"
                      r"mean|sum|item|evaluate|eval|rmse|mae|mse|r2|corr|corrcoef|len|count|criterion|distance|"
                      r"similarity|fn|describe|agg|aggregate|value_counts|nunique|std|var|min|max|quantile|median|"
                      r"histogram|hist)(?:$|_)", re.I)
_METRIC_NAME = re.compile(r"(?:^|_)(?:loss|losses|metric|metrics|acc|accuracy|auc|rmse|mae|mse|f1|precision|"
                          r"recall|error|errors|report|score_summary|r2)(?:$|_|\d)")
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
MAX_DEPTH = 6  # assignments followed back from a write


def predicts(node: ast.Call, attr: str, name: str | None) -> bool:
    """A call that asks a model for predictions by its method (not `model(x)`, which needs the bindings)."""
    return (attr in PREDICT_METHODS or attr in GENERATE_METHODS
            or (name is not None and name.endswith(LLM_CALLS))
            or (attr in ("invoke", "ainvoke") and isinstance(node.func, ast.Attribute)
                and bool(_LLM_RECEIVER.search(_terminal(node.func.value).lower()))))


@functools.lru_cache(maxsize=4096)
def model_like(attr: str) -> bool:
    """Could a call of this name be a model's (`model(x)`, `self.net(x)`, a Spark `transform`)? Cheap, so
    that a scope without one skips following values back (`is_predicted`)."""
    return attr == "transform" or bool(_MODEL_NAME.search(attr.lower()))


def is_predicted(ctx, node: ast.AST | None) -> bool:
    """Does `node`'s value come from a model's predictions, within the current function?"""
    if node is None or not ctx.may_predict_here():
        return False
    seen: set[int] = set()
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if id(current) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(current))
        for sub in _nodes(current):
            if isinstance(sub, ast.Call):
                if _is_prediction_call(ctx, sub):
                    return True
            elif isinstance(sub, ast.Name) and not _METRIC_NAME.search(sub.id.lower()):
                stack.extend((bound, depth + 1) for bound in ctx.bindings(sub.id))
    return False


def _nodes(root: ast.AST):
    """The nodes of an expression, not descending into reductions (metrics, counts, losses) or definitions."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue
        if isinstance(node, ast.Call) and _REDUCER.search(_terminal(node.func)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _is_prediction_call(ctx, node: ast.Call) -> bool:
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if attr is None:
        return False
    if predicts(node, attr, dotted_name(func)):
        return True
    if isinstance(func, ast.Name) and func.id in ctx.predicting_functions:  # `answer = rag(query)`
        return True
    if attr == "transform" and isinstance(func, ast.Attribute):  # a fitted Spark ML pipeline model
        return "model" in _terminal(func.value).lower()
    if not _MODEL_NAME.search(attr.lower()) or not (node.args or node.keywords):
        return False
    if isinstance(func, ast.Name):  # `model(x)`, unless `model` names a function, class or import
        return not isinstance(ctx.lookup(func.id), (Ref, *_DEFINITIONS))
    return isinstance(func.value, ast.Name) and func.value.id == "self"  # `self.model(x)`


def _terminal(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _terminal(node.func)
    return ""
