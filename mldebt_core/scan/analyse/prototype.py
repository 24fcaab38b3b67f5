"""Prototype smell and abstraction debt (§ 5).

Prototype: production modules that import notebook-era or scratch code (folders
named scratch/, experiments/, sandbox/, prototypes/, notebooks/), or carry a copy
of a function first written in a notebook or such a folder (not the one script a notebook
was exported to beside it). Abstraction debt: many
modules of a system's packages each fitting or predicting directly, with no shared interface.
Which paths are prototype or production code: `collect/paths.py`; function
fingerprints: `collect/detectors/function_bodies.py`.
"""

import posixpath
from collections import Counter

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.function_bodies import FunctionBody
from mldebt_core.scan.collect.paths import is_production, is_prototype
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts


def analyse(repo: RepoFacts) -> Analysis:
    production = {p for p in repo.facts if is_production(p)}
    packages = {info.path.rsplit("/", 1)[0] for info in repo.index.by_name.values() if info.is_package}
    findings = [*_imports_of_prototypes(repo, production), *_copies(repo, production, packages)]
    # Modules of one system that load data themselves and fit or predict: each is its own little ML pipeline.
    # Only modules of packages: loose scripts side by side are independent programs (a course's lessons, a lab
    # and its solution, successive copies of one script), not a system's modules that could share an interface.
    settings = repo.settings.code
    reading = {a.file for a in repo.accesses if a.mode == "read" and a.artifact}
    direct = sorted(p for p in production & reading if posixpath.dirname(p) in packages
                    and (repo.facts[p].fits or repo.facts[p].predicts))
    if len(direct) > settings.abstraction_max_direct_ml_files:
        findings.append(make_finding(
            "abstraction_debt", repo.settings, None, None, anchor="direct_ml_calls",
            message=f"{len(direct)} production files each load data and train or predict directly, with no "
                    f"shared model interface (setting: {settings.abstraction_max_direct_ml_files})",
            evidence={"files": direct}))
    return Analysis(findings=findings)


def _imports_of_prototypes(repo: RepoFacts, production: set[str]):
    for path in sorted(production):
        for imp in repo.facts[path].imports:
            for target in {t for t in repo.index.targets(path, imp) if is_prototype(t.path)}:
                yield make_finding(
                    "prototype", repo.settings, path, imp.line, anchor=f"import|{target.name}",
                    message=f"production code imports prototype code {target.path}",
                    evidence={"problem": "imports_prototype", "prototype": target.path})


def _copies(repo: RepoFacts, production: set[str], packages: set[str]):
    """Functions of production modules copied from a notebook or a prototype folder.

    Not a notebook's own script form: its one copy in a loose script beside it (`score.ipynb` exported to
    `score.py`, a homework's notebook and its script), two views of one piece of work that reviewers judge
    either way. Copied into a package, into another folder, or into several files, it is the smell.
    """
    minimum = repo.settings.code.prototype_min_duplicate_lines
    bodies = repo.detected("bodies")
    prototypes: dict[str, tuple[str, FunctionBody]] = {}
    for path, found in sorted(bodies.items()):
        if is_prototype(path):
            for body in found:
                if body.lines >= minimum:
                    prototypes.setdefault(body.digest, (path, body))
    holders = Counter(digest for path in production for digest in {b.digest for b in bodies.get(path, ())})
    for path in sorted(production & bodies.keys()):
        folder = posixpath.dirname(path)
        for body in bodies[path]:
            if body.digest not in prototypes or body.lines < minimum:
                continue
            source, original = prototypes[body.digest]
            if holders[body.digest] == 1 and posixpath.dirname(source) == folder and folder not in packages:
                continue  # the notebook's own script, beside it
            where = repo.where(source, original.line)
            yield make_finding(
                "prototype", repo.settings, path, body.line, anchor=f"copy|{body.name}",
                message=f"{body.name}() is a copy of {original.name}() in {where}; keep one, tested, "
                        "and import it",
                evidence={"problem": "copied_from_prototype", "prototype": where, "lines": body.lines})
