"""Prototype smell and abstraction debt (§ 5).

Prototype: production modules that import notebook-era or scratch code (folders
named scratch/, experiments/, sandbox/, prototypes/, notebooks/), or carry a copy
of a function first written in a notebook or such a folder. Abstraction debt: many
production files each fitting or predicting directly, with no shared interface.
Which paths are prototype or production code: `collect/paths.py`; function
fingerprints: `collect/detectors/function_bodies.py`.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.function_bodies import FunctionBody
from mldebt_core.scan.collect.paths import is_production, is_prototype
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts


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
