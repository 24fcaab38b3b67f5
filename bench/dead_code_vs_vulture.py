"""Compare mldebt's unreferenced functions and classes with vulture's on one repository.

    python bench/dead_code_vs_vulture.py REPO_PATH [--examples N]

Runs `vulture --min-confidence 60 REPO_PATH` and `scan_repository(REPO_PATH)`, keeps
the files both read (the scanner skips .gitignore'd and build folders), and matches
findings by (file, first line: the first decorator's, else the `def`/`class`) for three sorts: function, method
(vulture's "unused method"/"unused property"), class. For each it prints both
counts, the agreement (shared / mldebt, shared / vulture) and, for every finding
only one tool makes, why mldebt disagrees, with N examples of each reason.
Exit status 0; 2 for bad arguments or no vulture.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

try:
    from mldebt_core.scan.runner import scan_repository
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mldebt_core.scan.runner import scan_repository
from mldebt_core.scan.collect.detectors.dead_code_facts import FACTS
from mldebt_core.scan.collect.detectors.reference_words import WORDS
from mldebt_core.scan.collect.file_facts import collect_file
from mldebt_core.scan.collect.walk import discover_files
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS

_VULTURE_LINE = re.compile(r"^(.+?):(\d+): unused (function|method|property|class) '([^']+)'")
SORTS = {"function": "function", "method": "method", "property": "method", "class": "class"}


def vulture_findings(repo: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, line) -> (sort, name) of vulture's unused functions, methods and classes."""
    beside = Path(sys.executable).parent / "vulture"
    vulture = str(beside) if os.access(beside, os.X_OK) else shutil.which("vulture")
    if vulture is None:
        raise SystemExit("vulture not found beside this Python or on PATH (pip install vulture)")
    output = subprocess.run([vulture, "--min-confidence", "60", str(repo)], capture_output=True, text=True).stdout
    found = {}
    for line in output.splitlines():
        if match := _VULTURE_LINE.match(line):
            path = os.path.relpath(os.path.abspath(match[1]), repo).replace(os.sep, "/")
            found[(path, int(match[2]))] = (SORTS[match[3]], match[4])
    return found


def mldebt_findings(repo: Path) -> tuple[dict[tuple[str, int], tuple[str, str]], set[str]]:
    """(file, line) -> (sort, name) of mldebt's unreferenced definitions, and the Python files it read."""
    doc = scan_repository(repo)
    found = {}
    for f in doc.findings:
        if f.kind == "dead_experimental_codepath" and f.evidence["problem"].startswith("unreferenced"):
            found[(f.file, f.evidence["first_line"])] = (f.evidence["definition"], f.evidence["name"])
    read = {e.path for e in doc.files if e.path.endswith(".py")} - {s.path for s in doc.skipped}
    return found, read


def why_not_mldebt(repo: Path, missed: dict[tuple[str, int], tuple[str, str]],
                   reported: dict[tuple[str, int], tuple[str, str]]) -> dict[tuple[str, int], str]:
    """For each definition vulture reports and mldebt does not, the rule that keeps it out."""
    facts = {}
    for file in discover_files(repo):
        result = collect_file(file, DEFAULT_SCAN_SETTINGS)
        if result.facts is not None:
            facts[file.path] = result.facts.detected
    per_file = {p: d[FACTS] for p, d in facts.items() if FACTS in d}
    words = frozenset().union(*(d[WORDS] for d in facts.values() if WORDS in d))
    strings = frozenset().union(*(f.strings for f in per_file.values()))
    names = frozenset().union(*(f.names for f in per_file.values()))
    spans = defaultdict(list)
    for (path, line), _ in reported.items():
        for d in per_file[path].definitions:
            if d.first == line:
                spans[path].append((d.first, d.last))
    reasons = {}
    for (path, line), (_, name) in missed.items():
        short = name.rsplit(".", 1)[-1]
        definition = next((d for d in per_file.get(path, _Empty).definitions if d.first == line), None)
        if definition is None:
            reasons[(path, line)] = _exemption(repo / path, line)
        elif short in words:
            reasons[(path, line)] = "named in a config file, shell script or setup.py"
        elif short in strings:
            reasons[(path, line)] = "quoted in a string (registry, getattr, __all__, dotted path)"
        elif short in names:
            reasons[(path, line)] = "used as a name, attribute, imported name or annotation"
        elif any(first <= line <= last for first, last in spans[path]):
            reasons[(path, line)] = "inside a reported unreferenced class or function"
        elif definition.kind == "method":
            reasons[(path, line)] = "method of a class deriving from a class outside the repository"
        else:
            reasons[(path, line)] = "other"
    return reasons


def _exemption(path: Path, line: int) -> str:
    tree = ast.parse(path.read_bytes())
    node = next(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and line in (n.lineno, *(d.lineno for d in n.decorator_list)))
    if node.decorator_list:
        decorator = node.decorator_list[0]
        return f"decorated, may be registered (@{ast.unparse(getattr(decorator, 'func', decorator))})"
    return "exempt: dunder, test, framework-called name or __main__ block"


class _Empty:
    definitions = ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.repo.is_dir():
        parser.error(f"{args.repo}: not a directory")
    repo = args.repo.resolve()
    ours, read = mldebt_findings(repo)
    theirs = {k: v for k, v in vulture_findings(repo).items() if k[0] in read}
    print(f"{repo.name}: {len(read)} Python files read by both tools")
    print(f"{'sort':<10}{'mldebt':>8}{'vulture':>9}{'shared':>8}{'shared/mldebt':>15}{'shared/vulture':>16}")
    for sort in ("function", "method", "class", "all"):
        mine = {k for k, v in ours.items() if sort in ("all", v[0])}
        other = {k for k, v in theirs.items() if sort in ("all", v[0])}
        shared = mine & other
        print(f"{sort:<10}{len(mine):>8}{len(other):>9}{len(shared):>8}"
              f"{_share(shared, mine):>15}{_share(shared, other):>16}")
    only_vulture = {k: v for k, v in theirs.items() if k not in ours}
    reasons = why_not_mldebt(repo, only_vulture, ours)
    print(f"\nonly vulture ({len(only_vulture)}), by the rule that keeps mldebt from reporting them:")
    _print_reasons(reasons, only_vulture, args.examples)
    only_mldebt = {k: v for k, v in ours.items() if k not in theirs}
    print(f"\nonly mldebt ({len(only_mldebt)}): vulture's whitelists, its per-name usage (a name defined twice is "
          f"one), and what it does not parse; examples:")
    for (path, line), (sort, name) in sorted(only_mldebt.items())[: args.examples * 4]:
        print(f"  {path}:{line} {sort} {name}")
    return 0


def _share(part: set, whole: set) -> str:
    return f"{len(part) / len(whole):.0%}" if whole else "-"


def _print_reasons(reasons: dict, items: dict, examples: int) -> None:
    for reason, count in Counter(reasons.values()).most_common():
        print(f"  {count:>5}  {reason}")
        for key in sorted(k for k, r in reasons.items() if r == reason)[:examples]:
            print(f"           {key[0]}:{key[1]} {items[key][0]} {items[key][1]}")


if __name__ == "__main__":
    sys.exit(main())
