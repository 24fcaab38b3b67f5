"""gitignore patterns, matched without backtracking.

A `.gitignore` (or `[tool.mldebt]` globs) is written by the repository's authors, so its
patterns are hostile input: pathspec translates `*` to `[^/]*` and `**` to `(?:.+/)?`, and
Python's backtracking regex engine takes exponential time on `************q` (132 s for one
name) and polynomial time of any degree on `*a*a*a*a*b`. Here the same translation (pathspec's
parsing, negations and priorities are kept) commits to the leftmost place where each piece
between wildcards matches, with atomic groups: for `*` within a folder name and for `**` across
folders the leftmost match of the next piece is always as good as any later one, so nothing
is lost, and each piece is looked for once. Matching a name costs at most (name length x
pattern length) steps.
"""

import re
from collections.abc import Iterable

import pathspec
from pathspec.patterns.gitignore.spec import _DIR_MARK_OPT, GitIgnoreSpecPattern

Ignores = tuple[str, pathspec.PathSpec]  # (the folder of a .gitignore, relative to the root; its patterns)
_STAR = "[^/]*"  # how pathspec translates `*` within a path segment
_END = "(?=/|$)"  # a segment ends at a slash or at the end


class LinearGitIgnorePattern(GitIgnoreSpecPattern):
    """pathspec's gitignore pattern, its regular expression built so that it cannot backtrack."""

    __slots__ = ()

    @staticmethod
    def _translate_segment_glob(pattern: str, range_error) -> str:
        """One path segment: `a*b*c` as `a`, then the first `b` after it, then a `c` (`_END` follows the segment)."""
        pieces = GitIgnoreSpecPattern._translate_segment_glob(pattern, range_error).split(_STAR)
        if len(pieces) == 1:
            return pieces[0]
        middle = "".join(f"(?>{_STAR}?{piece})" for piece in pieces[1:-1] if piece)  # runs of `*` are one `*`
        return f"{pieces[0]}{middle}{_STAR}{pieces[-1]}"

    @classmethod
    def _GitIgnoreSpecPattern__translate_segments(cls, is_dir_pattern: bool, pattern_segs: list[str]) -> list[str]:
        """Whole paths: pathspec's `__translate_segments`, each `**` followed by the segments up to the next `**`
        in one atomic group (the leftmost place they match; the last group the rightmost, as pathspec's greedy
        `**` finds it, so a pattern matching a whole path is told apart from one matching a folder of it)."""
        groups: list[tuple[bool, list[str]]] = []  # (a `**` before it, its segments' expressions)
        after_stars = False
        for seg in pattern_segs:
            if seg == "**":
                after_stars = True
                continue
            expression = "[^/]+" if seg == "*" else cls._translate_segment_glob(seg, "raise")
            if after_stars or not groups:
                groups.append((after_stars, [expression]))
            else:
                groups[-1][1].append(expression)
            after_stars = False
        if after_stars:  # a trailing `**`: anything below the last group
            end = "(?P<ps_d>/)" if is_dir_pattern else "/"
        else:
            end = _DIR_MARK_OPT
        parts = ["^"]
        for number, (stars, expressions) in enumerate(groups):
            last = number == len(groups) - 1
            body = "/".join(expressions) + _END + (end if last else "")
            if not stars:
                parts.append(("/" if number else "") + body)
            elif number == 0:
                parts.append(f"(?>(?:.+/)?{body})" if last else f"(?>(?:.+?/)??{body})")
            else:
                parts.append(f"(?>(?:/.+)?/{body})" if last else f"(?>(?:/.+?)??/{body})")
        return parts


def gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """The patterns of a .gitignore (or of path globs written the same way), matched in linear time."""
    return pathspec.GitIgnoreSpec.from_lines(LinearGitIgnorePattern, lines)


_GLOB = re.compile(r"[*?\[]")


def may_reinclude(ignores: list[Ignores], folder: str) -> bool:
    """Could a `!` pattern bring back something inside an ignored folder? Kedro's `data/**` then `!data/**/` and
    `!data/01_raw/iris.csv` keep the committed raw data: the folder is walked and its files judged one by one."""
    for base, spec in ignores:
        if base and not folder.startswith(base + "/"):
            continue
        inside = (folder[len(base) + 1:] if base else folder) + "/"
        for pattern in spec.patterns:
            if pattern.include is not False:
                continue
            text = getattr(pattern, "pattern", "").lstrip("!")
            if "/" not in text.rstrip("/"):  # any depth: `!*.py` may bring files back, `!.gitkeep` only a marker
                if _GLOB.search(text):
                    return True
                continue
            prefix = _GLOB.split(text.lstrip("/"), 1)[0]
            if prefix.startswith(inside) or inside.startswith(prefix):
                return True
    return False


def ignored(ignores: list[Ignores], rel_path: str) -> bool:
    # Deepest .gitignore first: as in git, a nested file's patterns (and `!` negations) override its parents'.
    for base, spec in reversed(ignores):
        if base:
            if not rel_path.startswith(base + "/"):
                continue
            rel_path_in_base = rel_path[len(base) + 1:]
        else:
            rel_path_in_base = rel_path
        include = spec.check_file(rel_path_in_base).include  # None: no pattern of this file matched
        if include is not None:
            return include
    return False
