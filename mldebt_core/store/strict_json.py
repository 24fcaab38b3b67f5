"""Strict JSON for scans: what Python's `json` lets through and a page cannot render is refused, with its path.

`json.loads` keeps the last of two equal keys (a trailing `"findings": []` erased every finding), reads `NaN`,
`Infinity` and `1e999` as floats no JSON writer can write back, turns any run of digits into an int (past
4,300 digits `int()` raises a ValueError of its own) and lets `\\ud800` escapes through as lone surrogates,
which no UTF-8 encoder accepts. The decoding hooks below mark such values; only when one was marked is the
document walked to name the first one's path, so a clean scan costs one parse.
"""

import json
import math
import re

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJsonError(ValueError):
    """`loc`: the JSON path as a tuple of keys and indexes; `what`: what is wrong there."""

    def __init__(self, loc: tuple, what: str):
        self.loc, self.what = loc, what
        super().__init__(what)


class _Refused:
    """A value the hooks refused, kept in its place until the walk names the path."""
    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what


class _DuplicateKeys(dict):
    __slots__ = ("what",)


def loads(text: str, max_abs_int: int) -> object:
    """Parse JSON text; raise StrictJsonError naming the first duplicate key, non-finite number, integer past
    `max_abs_int` or lone surrogate (json.JSONDecodeError and RecursionError as `json.loads`)."""
    marked = []

    def integer(digits: str):
        length = len(digits.lstrip("-"))
        if length > len(str(max_abs_int)) or abs(int(digits)) > max_abs_int:
            marked.append(True)
            shown = digits if length <= 24 else f"{digits[:12]}… ({length:,} digits)"
            return _Refused(f"integer {shown} is out of range (at most {max_abs_int:,} either side of 0)")
        return int(digits)

    def real(digits: str):
        value = float(digits)
        if math.isfinite(value):
            return value
        marked.append(True)
        return _Refused(f"number {digits[:24]} is too large to be a finite number")

    def constant(name: str):
        marked.append(True)
        return _Refused(f"{name} is not a JSON number (NaN and ±Infinity are refused)")

    def pairs(items: list) -> dict:
        document = dict(items)
        if len(document) == len(items):
            return document
        seen: set = set()
        duplicate = next(key for key, _ in items if key in seen or seen.add(key))
        marked.append(True)
        flagged = _DuplicateKeys(document)
        flagged.what = f"duplicate key {duplicate!r} (a JSON object names each key once)"
        return flagged

    document = json.loads(text, parse_int=integer, parse_float=real, parse_constant=constant,
                          object_pairs_hook=pairs)
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if marked or surrogates:
        _raise_first(document, surrogates)
    return document


def _raise_first(document: object, surrogates: bool) -> None:
    """Walk the document in order (iteratively: it may be as deep as the parser allowed) to the first mark."""
    stack = [((), document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, _Refused):
            raise StrictJsonError(loc, value.what)
        if isinstance(value, _DuplicateKeys):
            raise StrictJsonError(loc, value.what)
        if isinstance(value, str):
            if surrogates and _SURROGATE.search(value):
                raise StrictJsonError(loc, _surrogate_sentence(value))
        elif isinstance(value, dict):
            bad_key = next((key for key in value if _SURROGATE.search(key)), None) if surrogates else None
            if bad_key is not None:
                raise StrictJsonError(loc, f"a key holds {_surrogate_sentence(bad_key)}")
            stack.extend(((*loc, key), value[key]) for key in reversed(list(value)))
        elif isinstance(value, list):
            stack.extend(((*loc, index), item) for index, item in reversed(list(enumerate(value))))


def _surrogate_sentence(text: str) -> str:
    code = ord(_SURROGATE.search(text).group())
    return f"invalid Unicode: a lone surrogate \\u{code:04x} (strings must be valid UTF-8 text)"
