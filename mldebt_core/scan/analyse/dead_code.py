"""Dead experimental codepaths (§ 5): branches that never run, flags that never change,
code that nothing references, code that was commented out.

Joins the per-file facts of `dead_code_facts` over the repository. A function or class
is referenced when its name is used anywhere: as a name, an attribute, an imported or
annotated name, a quoted string (`__all__`, `getattr(obj, "train_v2")`, registries), or
a word of a config file or setup script (entry points, `_target_:`). Like vulture, this
goes by name, so a name used anywhere keeps every definition of it. A flag is an
UPPER_CASE literal bound once at module level that nothing in the repository can
rebind: no attribute assignment of that name, no `global`, no string or config key
naming it (setattr, monkeypatch, env or config loaders).

Unreferenced is not claimed where nobody can tell: in code that tests keep as data (a
type checker's cases under `tests/mypy/`, fixtures), for the public API of a library (a
project whose packaging metadata publishes it with trove classifiers: the public names
of its packages are for other repositories to call), for packaged copies of the code
(`build/lib/…`, `dist/`), and beside or below a Python file that could not be parsed (a
template, Python 2, a lab's blank to fill in): its references are unknown. Framework entry points that
are found by convention (Kedro, TFX, SageMaker, Lambda, behave, asv, Sphinx, pydantic's
inner `Config`) are left out when the facts are collected (`dead_code_facts`).
"""

import operator
import posixpath
from collections import Counter, defaultdict

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.analyse.dependencies import library_roots, project_of, project_roots
from mldebt_core.scan.collect.detectors.dead_code_facts import FACTS, DeadBlock, DeadCodeFacts, Definition, FlagTest
from mldebt_core.scan.collect.detectors.reference_words import WORDS
from mldebt_core.scan.collect.paths import NON_PRODUCTION_FOLDERS, is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import Finding

KIND = "dead_experimental_codepath"
# Bases that call no method of a subclass by name; a subclass of any other class outside the repository
# (nn.Module.forward, keras Layer.call, NodeVisitor.visit_X) may have its methods called by that framework.
NEUTRAL_BASES = frozenset({"object", "ABC", "Generic", "Protocol", "NamedTuple", "TypedDict", "Enum", "IntEnum",
                           "StrEnum", "Exception"})
TEST_DATA_FOLDERS = frozenset({"fixtures", "resources", "data", "assets", "samples", "cases", "snippets", "mypy",
                               "typing", "stubs"})  # code under tests kept as input of a tool, not run
SAMPLE_FOLDERS = frozenset({"examples", "example", "tutorials", "demos", "docs", "doc"})  # code shown to readers
UNPARSED = frozenset({"syntax_error", "python2", "undecodable", "recursion_limit"})  # their references are unknown
_COMPARE = {"==": operator.eq, "!=": operator.ne, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
            "is": operator.is_, "is not": operator.is_not}


def analyse(repo: RepoFacts) -> Analysis:
    files: dict[str, DeadCodeFacts] = repo.detected(FACTS)
    words = frozenset().union(*repo.detected(WORDS).values())
    strings = frozenset().union(words, *(f.strings for f in files.values()))
    referenced = strings.union(*(f.names for f in files.values()))
    rebound = strings.union(*(f.attribute_stores for f in files.values()))
    free = _framework_free(files)
    settings = repo.settings
    claimable = _claimable(repo)
    imported = _imported(repo)
    scripts = frozenset().union(*(f.scripts for f in files.values()))
    candidates: dict[str, list[tuple[int, int, Finding]]] = defaultdict(list)
    for path in sorted(files):
        facts = files[path]
        found = candidates[path]
        found += [(b.first, b.last, _block_finding(path, b, settings)) for b in facts.dead]
        found += _flag_findings(path, facts.flag_tests, repo, files, rebound, words)
        unreferenced = [d for d in facts.definitions if d.name not in referenced and claimable(path, d)
                        and (d.kind != "method" or all(free(base, path) for base in facts.classes[d.owner]))]
        if unreferenced and posixpath.basename(path) in scripts and not facts.main_guard and not imported(path):
            continue  # a file handed to a runtime by name (a model server's predictor script): it calls them
        found += [(d.first, d.last, _unreferenced_finding(path, d, settings)) for d in unreferenced
                  if not (d.registered and imported(path))]
    findings, dead_lines = [], 0
    for found in candidates.values():
        kept = _outermost(found)
        findings += [f for _, _, f in kept]
        dead_lines += _covered_lines([(first, last) for first, last, _ in kept])
    return Analysis(findings=findings, code_health={"dead_lines": dead_lines})


def _claimable(repo: RepoFacts):
    """(path, definition) -> whether "referenced nowhere" can be judged for it at all."""
    roots = project_roots(repo)
    unparsed = {posixpath.dirname(r.path) for r in repo.results
                if r.language == "Python" and r.skip is not None and r.skip.reason in UNPARSED}
    libraries = library_roots(repo)
    packages = {info.path.rsplit("/", 1)[0] for info in repo.index.by_name.values() if info.is_package}

    def claimable(path: str, definition: Definition) -> bool:
        folders = path.split("/")[:-1]
        if _packaged_copy(folders) or any("/".join(folders[:n]) in unparsed for n in range(len(folders) + 1)) \
                or (is_test_file(path) and TEST_DATA_FOLDERS.intersection(folders)):
            return False
        if not _public_name(path, folders, definition) \
                or not any("/".join(folders[:n]) in packages for n in range(1, len(folders) + 1)):
            return True  # not a public name of a package: a script's, a helper's
        if SAMPLE_FOLDERS.intersection(folders):
            return False  # a sample library (`examples/toy_lib/`): its API is shown or fed to a tool, not called
        published = libraries and project_of(path, roots) in libraries
        return not (published and not NON_PRODUCTION_FOLDERS.intersection(folders) and not is_test_file(path))
    return claimable


def _imported(repo: RepoFacts):
    """path -> whether any file of the repository imports that module (resolved on first use: most files never
    ask)."""
    paths: set[str] | None = None

    def imported(path: str) -> bool:
        nonlocal paths
        if paths is None:
            paths = {target.path for importer, facts in repo.facts.items() for imp in facts.imports
                     for target in repo.index.targets(importer, imp)}
        return path in paths
    return imported


def _packaged_copy(folders: list[str]) -> bool:
    """`build/lib/pkg/…`, `build/bdist.linux/…`, `dist/…`: copies a build made of the code."""
    return "dist" in folders or any(a == "build" and (b.startswith(("lib", "bdist"))) for a, b in
                                    zip(folders, folders[1:]))


def _public_name(path: str, folders: list[str], definition: Definition) -> bool:
    """Importable by other code under a public name: no private module or folder on the way, no nested function.
    In a published library's packages, such a name is for other repositories to call, so its use is unseen."""
    if any(part.startswith("_") for part in [*folders, path.rsplit("/", 1)[-1]] if part != "__init__.py"):
        return False
    names = definition.qualname.split(".")
    nested_function = definition.kind == "function" and len(names) > 1
    return not nested_function and not any(name.startswith("_") for name in names)


def _block_finding(path: str, block: DeadBlock, settings) -> Finding:
    where = _lines(block.first, block.last)
    if block.problem == "unreachable_branch":
        message = f"{block.detail} never runs ({where})"
    else:
        message = f"commented-out code ({where}), starting `{block.detail[:60]}`"
    return make_finding(KIND, settings, path, block.line, anchor=block.anchor, message=message,
                        evidence=_evidence(block.problem, block.first, block.last, detail=block.detail))


def _unreferenced_finding(path: str, definition: Definition, settings) -> Finding:
    problem = "unreferenced_class" if definition.kind == "class" else "unreferenced_function"
    return make_finding(KIND, settings, path, definition.line, anchor=f"unreferenced|{definition.qualname}",
                        message=f"{definition.kind} {definition.qualname} is referenced nowhere in the repository "
                                f"({_lines(definition.first, definition.last)})",
                        evidence=_evidence(problem, definition.first, definition.last, name=definition.qualname,
                                           definition=definition.kind))


def _flag_findings(path: str, tests: tuple[FlagTest, ...], repo: RepoFacts, files: dict[str, DeadCodeFacts],
                   rebound: frozenset[str], words: frozenset[str]):
    seen = Counter()
    for test in tests:
        flags = {leaf: flag for leaf in _leaves(test.condition)
                 if (flag := _flag(path, leaf, repo, files, rebound, words)) is not None}
        outcome = _evaluate(test.condition, flags)
        dead = None if outcome is None else test.dead_if_true if outcome else test.dead_if_false
        if dead is None:
            continue
        seen[(test.scope, test.text)] += 1
        named = ", ".join(f"{name} = {value!r} ({file}:{line})" for name, file, value, line in flags.values())
        yield dead[0], dead[1], make_finding(
            KIND, repo.settings, path, test.line,
            anchor=f"flag|{test.scope}|{test.text}|{seen[(test.scope, test.text)]}",
            message=f"`{test.text}` is always {outcome}: {named} is never changed in the repository, "
                    f"so {_lines(*dead)} never run{'s' if dead[0] == dead[1] else ''}",
            evidence=_evidence("constant_flag", *dead, condition=test.text, flags=[f[0] for f in flags.values()],
                               flag_values=[repr(f[2]) for f in flags.values()]))


def _flag(path: str, leaf: tuple, repo: RepoFacts, files: dict[str, DeadCodeFacts], rebound: frozenset[str],
          words: frozenset[str]) -> tuple[str, str, object, int] | None:
    """(name, file, value, line) of the constant flag a branch reads, or None if it may change."""
    module, level, member, name = leaf
    if module is None:
        target = path
    else:
        info = (repo.index.resolve_from(path, module, level, member) if member
                else repo.index.resolve(path, module, level))
        target = info.path if info is not None else None
    literal = files[target].flags.get(name) if target in files else None
    if literal is None or name in rebound or name.lower() in words:  # config keys are often lower-case
        return None
    return (name, target, *literal)


def _leaves(condition: tuple) -> list[tuple]:
    kind = condition[0]
    if kind in ("leaf", "cmp"):
        return [condition[1]]
    if kind == "not":
        return _leaves(condition[1])
    return [leaf for part in condition[1] for leaf in _leaves(part)] if kind in ("and", "or") else []


def _evaluate(condition: tuple, flags: dict[tuple, tuple]) -> bool | None:
    """The condition's truth when every flag keeps its literal; None when it depends on anything else."""
    kind = condition[0]
    if kind in ("leaf", "cmp"):
        if condition[1] not in flags:
            return None
        value = flags[condition[1]][2]
        if kind == "leaf":
            return bool(value)
        op, literal = condition[2], condition[3]
        if op in ("is", "is not") and not any(literal is v for v in (True, False, None)):
            return None  # identity of other literals is an interpreter detail
        try:
            return bool(_COMPARE[op](value, literal))
        except TypeError:
            return None
    if kind == "not":
        inner = _evaluate(condition[1], flags)
        return None if inner is None else not inner
    if kind in ("and", "or"):
        parts = [_evaluate(p, flags) for p in condition[1]]
        decisive = kind == "or"  # True decides an `or`, False an `and`
        if decisive in parts:
            return decisive
        return None if None in parts else not decisive
    return None


def _framework_free(files: dict[str, DeadCodeFacts]):
    """(class name, file using it) -> whether it derives only from this repository's classes and NEUTRAL_BASES.

    A base is looked up in the file first, else among every class of that name in the repository (all must
    be free): a name-based guess, since the imports that would pin it down are not kept.
    """
    by_name: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))  # name -> file -> bases
    for path, facts in files.items():
        for qualname, bases in facts.classes.items():
            by_name[qualname.rsplit(".", 1)[-1]][path].extend(bases)
    memo: dict[tuple[str, str], bool] = {}

    def free(name: str, path: str) -> bool:
        if name in NEUTRAL_BASES:
            return True
        definitions = by_name.get(name, {})
        scope = {path: definitions[path]} if path in definitions else definitions
        key = (name, path if path in definitions else "")
        if key not in memo:
            memo[key] = False  # a cycle (or an unknown base) counts as outside the repository
            memo[key] = bool(scope) and all(free(base, where) for where, bases in scope.items() for base in bases)
        return memo[key]
    return free


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _evidence(problem: str, first: int, last: int, **details) -> dict:
    return {"problem": problem, "lines": last - first + 1, "first_line": first, "last_line": last, **details}


def _outermost(found: list[tuple[int, int, Finding]]) -> list[tuple[int, int, Finding]]:
    """Drop findings inside another one's lines (a method of an unreferenced class, `if False:` in dead code)."""
    kept, reach = [], 0
    for first, last, finding in sorted(found, key=lambda c: (c[0], -c[1], c[2].id)):
        if kept and last <= reach:
            continue
        kept.append((first, last, finding))
        reach = max(reach, last)
    return kept


def _covered_lines(spans: list[tuple[int, int]]) -> int:
    total, reach = 0, 0
    for first, last in sorted(spans):
        if last > reach:
            total += last - max(first, reach + 1) + 1
            reach = last
    return total
