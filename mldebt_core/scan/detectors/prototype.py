"""Prototype smell and abstraction debt (§ 5).

Prototype: production modules that import notebook-era or scratch code (folders
named scratch/, experiments/, sandbox/, prototypes/, notebooks/), or carry a copy
of a function first written in a notebook or such a folder. Abstraction debt: many
production files each fitting or predicting directly, with no shared interface.
"""

import ast
import hashlib
import re
from dataclasses import dataclass

from mldebt_core.scan.detectors.base import Analysis, RepoFacts
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.lineage import is_test_file

PROTOTYPE_FOLDERS = frozenset({"scratch", "experiments", "experimental", "sandbox", "prototype", "prototypes",
                               "notebooks", "playground", "exploration"})
_SPACE = re.compile(r"\s+")


NON_PRODUCTION_FOLDERS = frozenset({"examples", "example", "docs", "doc", "archive", "benchmarks", "tutorials",
                                    "demos"})


def is_prototype(path: str) -> bool:
    return path.endswith(".ipynb") or any(part in PROTOTYPE_FOLDERS for part in path.split("/")[:-1])


def is_production(path: str) -> bool:
    """Code that ships: not a test, not a prototype, not examples, docs or archives."""
    return not (is_prototype(path) or is_test_file(path)
                or any(part in NON_PRODUCTION_FOLDERS for part in path.split("/")[:-1]))


@dataclass(frozen=True, slots=True)
class FunctionBody:
    name: str
    line: int
    lines: int
    digest: str  # of the body's text with whitespace and comments-free layout normalised


class BodyCollector:
    """Fingerprints function bodies from the source text (cheap: no second walk of the tree)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.bodies: list[FunctionBody] = []

    def hooks(self):
        return {ast.FunctionDef: self.function, ast.AsyncFunctionDef: self.function}

    def function(self, node: ast.FunctionDef) -> None:
        start, end = node.body[0].lineno, node.end_lineno or node.lineno
        if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            start = node.body[0].end_lineno + 1  # a docstring is not behaviour
        if end - start + 1 < 2:
            return
        text = "\n".join(line.split("#", 1)[0] for line in self.ctx.source_lines[start - 1:end])
        digest = hashlib.sha1(_SPACE.sub(" ", text).strip().encode()).hexdigest()[:16]
        self.bodies.append(FunctionBody(node.name, node.lineno, end - start + 1, digest))

    def result(self) -> tuple[FunctionBody, ...]:
        return tuple(self.bodies)


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.code
    findings = []
    production = {p for p in repo.facts if is_production(p)}
    for path in sorted(production):
        for imp in repo.facts[path].imports:
            for target in {t for t in repo.index.targets(path, imp) if is_prototype(t.path)}:
                findings.append(make_finding(
                    "prototype", repo.settings, path, imp.line, anchor=f"import|{target.name}",
                    message=f"production code imports prototype code {target.path}",
                    evidence={"problem": "imports_prototype", "prototype": target.path}))
    prototypes: dict[str, tuple[str, FunctionBody]] = {}
    for path, bodies in sorted(repo.detected("bodies").items()):
        if is_prototype(path):
            for body in bodies:
                if body.lines >= settings.prototype_min_duplicate_lines:
                    prototypes.setdefault(body.digest, (path, body))
    for path, bodies in sorted(repo.detected("bodies").items()):
        if path not in production:
            continue
        for body in bodies:
            if body.digest in prototypes and body.lines >= settings.prototype_min_duplicate_lines:
                source, original = prototypes[body.digest]
                where = repo.where(source, original.line)
                findings.append(make_finding(
                    "prototype", repo.settings, path, body.line, anchor=f"copy|{body.name}",
                    message=f"{body.name}() is a copy of {original.name}() in {where}; keep one, tested, "
                            "and import it",
                    evidence={"problem": "copied_from_prototype", "prototype": where, "lines": body.lines}))
    # Files that load data themselves and fit or predict: each is its own little ML pipeline.
    reading = {a.file for a in repo.accesses if a.mode == "read" and a.artifact}
    direct = sorted(p for p in production & reading if repo.facts[p].fits or repo.facts[p].predicts)
    if len(direct) > settings.abstraction_max_direct_ml_files:
        findings.append(make_finding(
            "abstraction_debt", repo.settings, None, None, anchor="direct_ml_calls",
            message=f"{len(direct)} production files each load data and train or predict directly, with no "
                    f"shared model interface (setting: {settings.abstraction_max_direct_ml_files})",
            evidence={"files": direct}, confidence=70))
    return Analysis(findings=findings)
