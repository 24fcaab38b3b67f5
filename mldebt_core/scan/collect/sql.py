"""Table names read and written by SQL text (from .sql files or SQL strings in code).

A lexical reading, not a full parser: comments and string literals are removed,
common table expressions are not tables, and `{expr}` holes may stand in names.
"""

import re

_SEGMENT = r"(?:`[A-Za-z_{][\w${}.:-]*`|[\"\[]?[A-Za-z_{][\w${}]*[\"\]]?)"  # BigQuery quotes `project-id.ds.t`
_NAME = _SEGMENT + r"(?:\." + _SEGMENT + r"){0,2}"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_FROM_IN_FUNCTION = re.compile(r"\b(?:extract|substring|trim|overlay|position)\s*\([^()]*\)", re.I)
_WRITES = re.compile(
    r"\b(?:insert\s+(?:or\s+(?:replace|ignore)\s+)?(?:into|overwrite(?:\s+table)?)|create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?"
    r"(?:table|view|materialized\s+view)(?:\s+if\s+not\s+exists)?|merge\s+into|update|delete\s+from|"
    r"truncate(?:\s+table)?|copy)\s+(" + _NAME + ")", re.I)
# Atomic name: no backtracking into `generate_series(` to read `generate_serie` as a table.
_READS = re.compile(r"\b(?:from|join|using)\s+((?>" + _NAME + r"))(?!\s*\()", re.I)
_CTE = re.compile(r"(?:\bwith(?:\s+recursive)?|,)\s*(" + _NAME + r")\s+as\s*\(", re.I)
_KEYWORDS = frozenset({"select", "lateral", "unnest", "values", "table", "only", "dual", "set", "where"})
_SQL_START = re.compile(r"^\s*(?:with|select|insert|create|merge|update|delete|copy|truncate)\b", re.I)


def looks_like_sql(text: str) -> bool:
    return bool(_SQL_START.match(_COMMENTS.sub(" ", text)))


def tables(sql: str) -> tuple[list[str], list[str]]:
    """(tables read, tables written), each in order of first appearance."""
    text = _FROM_IN_FUNCTION.sub(" ", _STRINGS.sub("''", _COMMENTS.sub(" ", sql)))
    ctes = {_clean(m) for m in _CTE.findall(text)}
    written = _unique(_clean(m) for m in _WRITES.findall(text))
    deleted = {_clean(m) for m in re.findall(r"\bdelete\s+from\s+(" + _NAME + ")", text, re.I)}
    read = _unique(name for name in (_clean(m) for m in _READS.findall(text))
                   if name not in ctes and name.lower() not in _KEYWORDS and name not in deleted)
    # Keywords out: MERGE's `WHEN MATCHED THEN UPDATE SET` names no table.
    read = [name for name in read if not _CATALOG.match(name)]  # system catalogues are not data
    return read, [name for name in written if name not in ctes and name.lower() not in _KEYWORDS]


_CATALOG = re.compile(r"^(?:pg_\w+|information_schema\..*|information_schema|sqlite_master|sqlite_schema|"
                      r"sys\..*|mysql\..*|system\..*)$", re.I)


def _clean(name: str) -> str:
    return re.sub(r"[`\"\[\]]", "", name)


def _unique(names) -> list[str]:
    return list(dict.fromkeys(names))
