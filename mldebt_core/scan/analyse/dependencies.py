"""Unbounded requirements and missing lock files (paper § 8, reproducibility debt).

Over the manifests parsed per file (`collect/detectors/manifests.py`) and the setup.py
requirements of the AST walk (`hygiene_facts`). A requirement with no version or only
a lower bound is unbounded: the next install may bring the next major version. A lock
beside the manifest (poetry.lock, uv.lock, Pipfile.lock, conda-lock…, or a requirements
file a resolver wrote or pinned whole) pins what the manifest leaves open: no claim then.
Nor for the manifests of a published library (its users resolve its ranges), of a project
template (`{{ cookiecutter.repo_name }}/`: the generated project locks its own), the
environment files MLflow saves beside a model (`MLmodel`: an artifact, no manifest), or a
manifest that bounds most of its requirements (the few left open are a choice). A missing
lock is said in the finding of each unbounded manifest, never as a finding of its own: with
every requirement bounded, a lock is a refinement reasonable engineers skip.
"""

import fnmatch
import posixpath
import re

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.manifests import is_manifest, setup_manifest
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

TEMPLATE_MARK = re.compile(r"\{\{|\{%")  # a Jinja placeholder in a folder name: '{{ cookiecutter.repo_name }}'


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.hygiene
    manifests = {p: m for p, m in repo.detected("dependencies").items() if m.requirements}
    for path, facts in repo.detected("hygiene").items():
        if facts.requirements and not is_test_file(path):
            manifests[path] = setup_manifest(facts.requirements, facts.publishes)
    model_folders = {posixpath.dirname(r.path) for r in repo.results if posixpath.basename(r.path) == "MLmodel"}
    manifests = {p: m for p, m in manifests.items() if m.requirements and posixpath.dirname(p) not in model_folders}
    libraries = library_roots(repo)
    locks = [r.path for r in repo.results
             if any(fnmatch.fnmatch(posixpath.basename(r.path), glob) for glob in settings.lock_files)]
    pinned = [p for p, m in manifests.items() if m.kind in ("requirements", "conda")
              and (m.generated or all(r.exact for r in m.requirements))]
    locked = bool(locks or pinned)
    locked_folders = {_folder(p) for p in [*locks, *pinned]}
    findings = []
    for path, manifest in sorted(manifests.items()):
        loose = [r for r in manifest.requirements if not r.bounded]
        if not loose or path in pinned or _folder(path) in locked_folders:
            continue  # a lock beside the manifest pins what it leaves open
        if len(loose) <= settings.unbounded_tolerated_share * len(manifest.requirements):
            continue  # bounded on purpose but for a few (often the team's own framework, kept current)
        if posixpath.dirname(path) in libraries:
            continue  # a published library bounds its dependencies from below on purpose (its requirements file too)
        if TEMPLATE_MARK.search(f"{repo.root.as_posix()}/{path}"):  # a project of a monorepo: its folder too
            continue  # a project template (cookiecutter, copier): the generated project locks its own environment
        shown = ", ".join(r.spec for r in loose[:5]) + (", …" if len(loose) > 5 else "")
        findings.append(make_finding(
            "reproducibility_debt", repo.settings, path, loose[0].line, anchor="unbounded-requirements",
            message=f"{len(loose)} of {len(manifest.requirements)} requirements have no pin or upper bound "
                    f"({shown}){'' if locked else ' and no lock file pins them'}: the next install may bring a new "
                    f"major version",
            evidence={"unbounded": [f"{r.spec} (line {r.line})" for r in loose],
                      "requirements": len(manifest.requirements), "manifest": manifest.kind, "lock_file": locked}))
    return Analysis(findings=findings)


def _folder(path: str) -> str:
    """The folder whose lock pins a manifest: its own, or the parent of a `requirements/` folder."""
    folder = posixpath.dirname(path)
    return posixpath.dirname(folder) if posixpath.basename(folder) == "requirements" else folder


def project_roots(repo: RepoFacts) -> list[str]:
    """Folders holding their own manifest (pyproject, setup, requirements, Pipfile, conda env), deepest first;
    '' is the repository root. Each is a project of a monorepo, independent of the others."""
    roots = {""} | {_folder(r.path) for r in repo.results if is_manifest(r.path)}
    return sorted(roots, key=lambda root: (-root.count("/") - bool(root), root))


def project_of(path: str, roots: list[str]) -> str:
    """The deepest project root holding `path` (roots as `project_roots` returns them)."""
    return next(root for root in roots if not root or path.startswith(root + "/"))


def library_roots(repo: RepoFacts) -> frozenset[str]:
    """Folders of projects whose packaging metadata carries trove classifiers: libraries, published on an index."""
    published = [p for p, m in repo.detected("dependencies").items() if m.published]
    published += [p for p, h in repo.detected("hygiene").items()
                  if h.publishes and posixpath.basename(p) == "setup.py" and not is_test_file(p)]
    return frozenset(posixpath.dirname(p) for p in published)
