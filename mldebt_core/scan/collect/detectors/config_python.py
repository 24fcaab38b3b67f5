"""Python settings modules: constants and dataclass defaults that configure the system.

A module named like settings (`config.py`, `settings.py`, `params.py`, `train_config.py`…)
whose module level is mostly UPPER_CASE constants or settings classes (a dataclass or
pydantic BaseSettings with defaults; a plain class of UPPER_CASE attributes) is a config
file of format "python": keys `NAME` and `Class.field`. A module of functions that keeps
a few constants (Keras' `backend/config.py`) is not. Collected by `config_reads`'
detector during the one AST walk; the hooks only run in modules named like settings.
"""

import ast
import json
import posixpath
import re
from collections import Counter

from mldebt_core.scan.collect.detectors.config_files import ParsedConfig, ParsedSetting
from mldebt_core.scan.collect.values import dotted_name

SETTINGS_MODULE_STEMS = frozenset({"config", "configs", "settings", "params", "parameters", "constants", "hparams",
                                   "hyperparams", "hyperparameters", "defaults"})
_UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
_UPPER_WORD = re.compile(r"\b[A-Z][A-Z0-9_]*\b")
_ENUM = re.compile(r"(?:^|\.)(?:\w*Enum|Flag|IntFlag)$")
_MAX_VALUE_TEXT = 200


def is_settings_module_path(path: str) -> bool:
    stem, _, suffix = posixpath.basename(path).rpartition(".")
    return suffix == "py" and (stem in SETTINGS_MODULE_STEMS or stem.endswith(("_config", "_settings", "_params")))


class SettingsModule:
    """Module-level UPPER_CASE constants and dataclass (or settings-class) field defaults of a settings module."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.settings: list[ParsedSetting] = []
        self.others = 0  # module-level functions, plain classes and lower-case assignments

    def assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if self.ctx.function_names:
            return
        targets = node.targets if node.__class__ is ast.Assign else [node.target]
        if len(targets) != 1 or targets[0].__class__ is not ast.Name or node.value is None:
            return
        name = targets[0].id
        if _UPPER.match(name):
            value, literal = _value_json(node.value)
            self.settings.append(ParsedSetting(name, value, node.lineno, literal))
        elif not name.startswith("_"):
            self.others += 1

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.ctx.function_names:
            self.others += 1

    def klass(self, node: ast.ClassDef) -> None:
        if self.ctx.function_names:
            return
        if any(_ENUM.search(dotted_name(b) or "") for b in node.bases):
            return  # an Enum's members are the values of one setting, not settings
        fields = [(s.target.id, s.value, s.lineno) for s in node.body
                  if s.__class__ is ast.AnnAssign and s.target.__class__ is ast.Name and s.value is not None]
        upper = [(s.targets[0].id, s.value, s.lineno) for s in node.body if s.__class__ is ast.Assign
                 and len(s.targets) == 1 and s.targets[0].__class__ is ast.Name and _UPPER.match(s.targets[0].id)]
        if fields and _is_settings_class(node):
            chosen = fields
        elif upper and all(s.__class__ in (ast.Assign, ast.Expr, ast.Pass) for s in node.body):
            chosen = upper  # `class Config: DEBUG = False`
        else:
            self.others += 1
            return
        for name, value, line in chosen:
            text, literal = _value_json(value)
            self.settings.append(ParsedSetting(f"{node.name}.{name}", text, line, literal))

    def result(self) -> ParsedConfig | None:
        if len(self.settings) < 2 or len(self.settings) < self.others:
            return None
        # A constant the module itself uses (`DATA = ROOT / "data"`) is read: its name occurs more than once.
        occurrences = Counter(_UPPER_WORD.findall("\n".join(self.ctx.source_lines)))
        used = tuple(s.key for s in self.settings if occurrences[s.key] > 1)
        return ParsedConfig("python", tuple(self.settings), 0, False, used)


def _is_settings_class(node: ast.ClassDef) -> bool:
    names = [dotted_name(d.func if d.__class__ is ast.Call else d) or "" for d in node.decorator_list]
    bases = [dotted_name(b) or "" for b in node.bases]
    return any(n.endswith("dataclass") for n in names) or any(b.endswith("BaseSettings") for b in bases)


def _value_json(node: ast.AST) -> tuple[str, bool]:
    """The setting's value as JSON, and whether it is a literal (else the expression's text)."""
    try:
        return json.dumps(ast.literal_eval(node), default=str), True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        text = ast.unparse(node)
        return json.dumps(text if len(text) <= _MAX_VALUE_TEXT else text[: _MAX_VALUE_TEXT - 1] + "…"), False
