"""Unbounded requirements and missing lock files (paper § 8, reproducibility debt).

Over the manifests parsed per file (`collect/detectors/manifests.py`) and the setup.py
requirements of the AST walk (`hygiene_facts`). A requirement with no version or only
a lower bound is unbounded: the next install may bring the next major version.
"""

import fnmatch
import posixpath

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.manifests import setup_manifest
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

PACKAGE_METADATA = frozenset({"pyproject", "setup.py"})


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.hygiene
    manifests = {p: m for p, m in repo.detected("dependencies").items() if m.requirements}
    for path, facts in repo.detected("hygiene").items():
        if facts.requirements and not is_test_file(path):
            manifests[path] = setup_manifest(facts.requirements)
    manifests = {p: m for p, m in manifests.items() if m.requirements}
    locks = [r.path for r in repo.results
             if any(fnmatch.fnmatch(posixpath.basename(r.path), glob) for glob in settings.lock_files)]
    pinned = [p for p, m in manifests.items()
              if m.kind in ("requirements", "conda") and all(r.exact for r in m.requirements)]
    locked = bool(locks or pinned)
    findings = []
    for path, manifest in sorted(manifests.items()):
        loose = [r for r in manifest.requirements if not r.bounded]
        if not loose:
            continue
        relaxed = locked or manifest.kind in PACKAGE_METADATA
        shown = ", ".join(r.spec for r in loose[:5]) + (", …" if len(loose) > 5 else "")
        findings.append(make_finding(
            "reproducibility_debt", repo.settings, path, loose[0].line, anchor="unbounded-requirements",
            message=f"{len(loose)} of {len(manifest.requirements)} requirements have no pin or upper bound "
                    f"({shown}): the next install may bring a new major version",
            evidence={"unbounded": [f"{r.spec} (line {r.line})" for r in loose],
                      "requirements": len(manifest.requirements), "manifest": manifest.kind, "lock_file": locked},
            confidence=settings.unbounded_relaxed_confidence if relaxed else settings.unbounded_confidence))
    if manifests and not locked:
        findings.append(make_finding(
            "reproducibility_debt", repo.settings, None, None, anchor="no-lock-file",
            message=f"dependencies are declared in {len(manifests)} file(s) but no lock file pins the environment",
            evidence={"manifests": sorted(manifests), "lock_files_looked_for": list(settings.lock_files)},
            confidence=settings.no_lock_confidence))
    return Analysis(findings=findings)
