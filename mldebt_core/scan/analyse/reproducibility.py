"""Unset random seeds (paper § 8, reproducibility debt): estimators and splits created
without `random_state`, and random generators the training code uses but never seeds.

Per-file facts come from `hygiene_facts`; test files are left out on both sides (a
seed set in a test does not make the pipeline reproducible), and so are notebooks that keep
nothing (write no file, table or model): exploration, whose unseeded fits change only what
it prints, often on purpose (showing how much a forest varies). A scikit-learn estimator in a
file that calls `np.random.seed(n)` draws from that seeded global state, so a run in order
reproduces. `random` and numpy count only in files that train: elsewhere (load tests, demo
inputs, simulated traffic) randomness is usually the point.
"""

from collections import defaultdict

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.hygiene_facts import LIBRARIES, LIBRARY_SEEDERS, SEED_KEYWORDS
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

# Training with these frameworks draws on their generator (weight init, dropout, shuffling).
FRAMEWORK_LIBRARY = {"torch": "torch", "lightning": "torch", "pytorch_lightning": "torch",
                     "tensorflow": "tensorflow", "keras": "tensorflow", "tf_keras": "tensorflow"}
SEED_HINT = {"random": "random.seed(seed)", "numpy": "np.random.seed(seed) or np.random.default_rng(seed)",
             "torch": "torch.manual_seed(seed)",
             "tensorflow": "tf.random.set_seed(seed) or keras.utils.set_random_seed(seed)"}
NUMPY_SEEDERS = frozenset(name.rsplit(".", 1)[1] for name, lib in LIBRARY_SEEDERS.items() if lib == "numpy")


def analyse(repo: RepoFacts) -> Analysis:
    keeping = {a.file for a in repo.accesses if a.mode != "read"}
    production = {p: h for p, h in repo.detected("hygiene").items()
                  if not is_test_file(p) and (p in keeping or not p.endswith(".ipynb"))}
    return Analysis(findings=[*_unseeded_estimators(repo, production), *_unseeded_libraries(repo, production)])


def _unseeded_estimators(repo: RepoFacts, production: dict) -> list:
    findings = []
    for path, facts in sorted(production.items()):
        if facts.seeds_numpy_global:
            continue  # sklearn falls back on numpy's global generator, which this file seeds
        ordinal: dict[tuple[str, str], int] = defaultdict(int)
        for site in facts.unseeded:
            package, name = site.call.split(".", 1)
            key = (site.function, site.call)
            anchor = f"{site.function}:{site.call}:{ordinal[key]}"
            ordinal[key] += 1
            keywords = " or ".join(SEED_KEYWORDS[package])
            findings.append(make_finding(
                "reproducibility_debt", repo.settings, path, site.line, anchor=anchor,
                message=f"{name}(…) is created without {SEED_KEYWORDS[package][0]}: each run gives a different "
                        f"model or split",
                evidence={"call": site.call, "function": site.function or "(module)", "seed_keywords": keywords}))
    return findings


def _unseeded_libraries(repo: RepoFacts, production: dict) -> list:
    settings = repo.settings.hygiene
    uses: dict[str, list[str]] = defaultdict(list)
    seeded: set[str] = set()
    for path, hygiene in sorted(production.items()):
        seeded |= hygiene.seeded
        for library, line in _uses(repo.facts[path], hygiene).items():
            uses[library].append(repo.where(path, line))
    findings = []
    for library in LIBRARIES:
        if not uses[library] or library in seeded:
            continue
        where = uses[library]
        findings.append(make_finding(
            "reproducibility_debt", repo.settings, None, None, anchor=f"unseeded:{library}",
            message=f"{library} draws random numbers in {len(where)} file(s) but is never seeded "
                    f"(e.g. {SEED_HINT[library]}): runs cannot be reproduced",
            evidence={"library": library, "files": len(where), "used_at": where[:settings.evidence_max_files]}))
    return findings


def _uses(facts, hygiene) -> dict[str, int]:
    """library -> first line of this file that draws on its generator."""
    if not facts.fits:  # randomness outside training code is usually the point (simulated traffic, demo inputs)
        return {}
    uses = dict(hygiene.random_uses)
    for imp in facts.imports:
        if imp.level:
            continue
        if imp.module == "numpy.random":  # importing only the seeders is no use of the global generator
            library = "numpy" if not imp.names or not set(imp.names) <= NUMPY_SEEDERS else None
        else:
            library = FRAMEWORK_LIBRARY.get(imp.module.split(".")[0])
        if library is not None:
            uses[library] = min(uses.get(library, imp.line), imp.line)
    return uses
