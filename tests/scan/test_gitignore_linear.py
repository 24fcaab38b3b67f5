"""gitignore patterns are matched without backtracking, with the same answers as pathspec's."""

import random
import time

import pathspec
import pytest

from mldebt_core.scan.collect.ignores import gitignore_spec
from mldebt_core.scan.collect.walk import discover_files
from mldebt_core.scan.runner import scan_repository

HOSTILE = ["************q", "*" * 40 + "q", "*a" * 30 + "*b", "**/" * 30 + "q", "a/**/" * 20 + "q",
           "**/*a*a*a*a*a*a*a*a*a*b/**/" * 5 + "c", "[a]*" * 25 + "!", "?*" * 40 + "q"]
LONG_NAMES = ["a" * 250, "a" * 250 + "/" + "a" * 250, "/".join(["a"] * 500), "a/" * 300 + "b" * 200]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_patterns_that_backtrack_in_pathspec_match_long_names_at_once(pattern):
    spec = gitignore_spec([pattern])
    started = time.perf_counter()
    for name in LONG_NAMES:
        spec.check_file(name)
        spec.check_file(name + "/")
    assert time.perf_counter() - started < 2


def test_a_repository_whose_gitignore_backtracks_is_walked_at_once(tmp_path):
    (tmp_path / ".gitignore").write_text("************q\n" + "*a" * 30 + "*b\n")
    (tmp_path / ("a" * 200 + ".py")).write_text("x = 1\n")
    (tmp_path / ("a" * 199 + "b")).write_text("")
    (tmp_path / "train.py").write_text("x = 1\n")
    started = time.perf_counter()
    doc = scan_repository(tmp_path)
    assert time.perf_counter() - started < 2
    assert [f.path for f in doc.files] == [".gitignore", "a" * 200 + ".py", "train.py"]


def test_tool_mldebt_globs_backtrack_no_more(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mldebt]\nexclude = ["' + "*" * 30 + 'q"]\n')
    (tmp_path / ("a" * 200 + ".py")).write_text("x = 1\n")
    started = time.perf_counter()
    scan_repository(tmp_path)
    assert time.perf_counter() - started < 2


# -- the same answers as pathspec on patterns it matches quickly ------------------------------------------

PIECES = ["a", "b", "ab", "*", "?", "[ab]", "[!a]", "\\*", "*a", "a*", "*a*", "a?b", ".", "*.py"]


def random_pattern(rng: random.Random) -> str:
    segments = [rng.choice(PIECES) + (rng.choice(PIECES) if rng.random() < 0.3 else "")
                for _ in range(rng.randint(1, 3))]
    for _ in range(rng.randint(0, 2)):
        segments.insert(rng.randint(0, len(segments)), "**")
    pattern = "/".join(segments)
    return rng.choice(["", "/", "!"]) * (rng.random() < 0.3) + pattern + "/" * (rng.random() < 0.3)


def random_path(rng: random.Random) -> str:
    names = ["a", "b", "ab", "ba", "aab", "x.py", "a.py", "*", "aba", "bb"]
    return "/".join(rng.choice(names) for _ in range(rng.randint(1, 5))) + "/" * (rng.random() < 0.3)


def test_matching_is_pathspecs_on_thousands_of_patterns_and_paths():
    rng = random.Random(17)
    compared = 0
    for _ in range(1500):
        lines = [random_pattern(rng) for _ in range(rng.randint(1, 3))]
        try:
            theirs = pathspec.GitIgnoreSpec.from_lines(lines)
        except ValueError:
            with pytest.raises(ValueError):
                gitignore_spec(lines)
            continue
        ours = gitignore_spec(lines)
        for _ in range(8):
            path = random_path(rng)
            assert ours.check_file(path) == theirs.check_file(path), (lines, path)
            compared += 1
    assert compared > 10_000


@pytest.mark.parametrize(("lines", "path", "include"), [
    (["*.log"], "a/b/x.log", True), (["/secret.py"], "sub/secret.py", None), (["data/"], "data/x.py", True),
    (["data/"], "data", None), (["a/**/b"], "a/x/y/b", True), (["a/**/b"], "a/b", True),
    (["**/x/**/y"], "p/x/q/y/z", True), (["a/**"], "a/b/c", True), (["a/**"], "a", None),
    (["*", "!*.py"], "x.py", False), (["*a*b*c"], "xaybzc", True), (["*a*b*c"], "xaybzcd", None),
    (["\\#x"], "#x", True), (["a\\ "], "a ", True),
])
def test_gitignore_semantics_kept(lines, path, include):
    assert gitignore_spec(lines).check_file(path).include is include


WALKED = {".gitignore": "*.log\n/secret.py\ndata/\n**/gen/*.py\n", "sub/.gitignore": "local.py\n!keep.log\n",
          "a.py": "", "a.log": "", "secret.py": "", "sub/secret.py": "", "data/x.py": "", "sub/keep.log": "",
          "sub/other.log": "", "sub/local.py": "", "x/gen/g.py": "", "x/gen/g.txt": ""}


def test_walk_semantics_kept(tmp_path):
    for name, text in WALKED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert [f.path for f in discover_files(tmp_path)] == [
        ".gitignore", "a.py", "sub/.gitignore", "sub/keep.log", "sub/secret.py", "x/gen/g.txt"]
