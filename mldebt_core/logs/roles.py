"""Which column of a prediction log plays which role: proposed from names and types, confirmed by the user.

A role mapping is a dict {column name: role}. Roles:
- `timestamp` (required), `prediction` (required), `model`, `segment`, `label`, `action`: at most one
  column each (see `log_table` for what each becomes);
- `numeric` / `categorical`: a feature, stored as DOUBLE / text; any number of columns;
- `ignore`: not stored (row ids, an index written by pandas, other dates, nested values).

`propose_roles` is pure: it sees only names and DuckDB types (`LogColumn`), so the Monitoring page can
show the proposal for the user to change before anything is read in full or written.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mldebt_core.logs.errors import LogIngestError

SINGLE_ROLES = ("timestamp", "prediction", "label", "model", "segment", "action")
"""in the order they are proposed: a column taken by an earlier role is not offered to a later one"""
REQUIRED_ROLES = ("timestamp", "prediction")
FEATURE_ROLES = ("numeric", "categorical")
ROLES = (*SINGLE_ROLES, *FEATURE_ROLES, "ignore")
FEATURE = "feature"
"""accepted in an override: a feature whose kind follows the column's type"""

_NAMES = {
    "timestamp": ("timestamp", "ts", "time", "datetime", "event_time", "event_timestamp", "created_at",
                  "served_at", "scored_at", "logged_at", "request_time", "prediction_time", "date"),
    "prediction": ("prediction", "pred", "score", "probability", "prob", "proba", "y_pred", "yhat", "y_hat",
                   "predicted", "prediction_score", "predicted_value", "output"),
    "label": ("label", "target", "y", "y_true", "outcome", "actual", "truth", "ground_truth", "observed"),
    "model": ("model", "model_id", "model_name", "model_version", "version"),
    "segment": ("segment", "group", "arm", "variant", "cohort", "bucket", "experiment_group", "treatment_group",
                "experiment_arm"),
    "action": ("action", "decision", "action_taken", "actioned"),
}
"""normalised names (lower case, runs of other characters as '_') that name a role outright"""
_PATTERNS = {
    "timestamp": re.compile(r"(^|_)(ts|time|timestamp|datetime)$|_at$"),
    "prediction": re.compile(r"pred|score|prob"),
    "label": re.compile(r"label|target|outcome"),
    "action": re.compile(r"action|decision"),
}
"""name patterns that suggest a role when the type fits it too"""
_IGNORED = re.compile(r"^(id|uuid|guid|index|row|row_id|__index_level_\d+__)$|_(id|uuid)$|^unnamed_\d+$")
"""row ids and index columns: unique per row, so useless as features"""

_LISTED = 12
"""column names a message lists before it says 'and n more'"""

_NUMERIC = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|"
                      r"FLOAT|DOUBLE|DECIMAL.*|REAL|INT\d*)$")
_TEMPORAL = re.compile(r"^(DATE|TIMESTAMP.*)$")
_OTHER = re.compile(r"\[\]$|\[\d+\]$|^(STRUCT|MAP|UNION|LIST|ARRAY)\b|^(BLOB|BIT|UUID|INTERVAL|TIME.*)$")


class RoleError(LogIngestError):
    """A role mapping cannot be used: an unknown role or column, a role given twice or claimed by columns of
    equally good names, a required role missing. A refused log, so a LogIngestError."""


@dataclass(frozen=True)
class LogColumn:
    name: str
    """as in the file"""
    type: str
    """the DuckDB type the file's reader gives it, e.g. 'DOUBLE', 'VARCHAR', 'TIMESTAMP WITH TIME ZONE'"""


def type_family(duckdb_type: str) -> str:
    """'numeric', 'boolean', 'temporal', 'text' or 'other' (nested, binary, time of day)."""
    if duckdb_type == "BOOLEAN":
        return "boolean"
    if _NUMERIC.match(duckdb_type):
        return "numeric"
    if _TEMPORAL.match(duckdb_type):
        return "temporal"
    if _OTHER.search(duckdb_type):
        return "other"
    return "text"


_FITS = {
    "timestamp": ("temporal", "text"),
    "prediction": ("numeric",),
    "label": ("numeric", "boolean"),
    "action": ("text", "boolean", "numeric"),
}
"""type families a column must have to be proposed for a role by its name pattern (an exact name takes any
family but 'other')"""


def propose_roles(columns: Sequence[LogColumn]) -> dict[str, str]:
    """A role for every column, from its name and type; the user confirms or changes it."""
    roles: dict[str, str] = {}
    for role in SINGLE_ROLES:
        ranked = [(score, -index) for index, column in enumerate(columns)
                  if column.name not in roles and (score := _score(role, column)) is not None]
        if ranked:
            roles[columns[-max(ranked)[1]].name] = role
    for column in columns:
        roles.setdefault(column.name, _feature_role(column))
    return {column.name: roles[column.name] for column in columns}


def resolve_roles(columns: Sequence[LogColumn], overrides: Mapping[str, str], source: str) -> dict[str, str]:
    """The proposal with the user's overrides on top, checked: every override names a column of the file and a
    known role, single roles are taken once, timestamp and prediction are present. `source` names the file."""
    names = [column.name for column in columns]
    roles = propose_roles(columns)
    for name, role in overrides.items():
        if name not in roles:
            raise RoleError(f"{source}: no column {name!r} to map (columns: {_listing(names)})")
        if role not in (*ROLES, FEATURE):
            raise RoleError(f"{source}: column {name!r}: unknown role {role!r}; expected one of "
                            f"{', '.join((*ROLES, FEATURE))}")
    for name, role in overrides.items():
        if role in SINGLE_ROLES:  # the user's choice wins: a column proposed for that role loses it
            for other, taken in roles.items():
                if taken == role and other != name and other not in overrides:
                    roles[other] = _feature_role(columns[names.index(other)])
        roles[name] = _feature_kind(columns[names.index(name)]) if role == FEATURE else role
    for role in SINGLE_ROLES:
        if role not in overrides.values() and len(tied := _tied(role, columns)) > 1:
            raise RoleError(f"{source}: columns {_listing(tied)} could each be the {role} column (their names "
                            f"differ only in case or punctuation); choose one with --map COLUMN={role}")
        holders = [name for name, taken in roles.items() if taken == role]
        if len(holders) > 1:
            raise RoleError(f"{source}: role {role} is given to several columns ({_listing(holders)}); "
                            f"a log has one {role} column")
    for role in REQUIRED_ROLES:
        if role not in roles.values():
            raise RoleError(f"{source}: no {role} column found among {_listing(names)}; name it with "
                            f"--map COLUMN={role}")
    return roles


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """`--map COLUMN=ROLE` arguments as a dict (the last '=' splits, so column names may contain '=')."""
    mapping: dict[str, str] = {}
    for item in items:
        column, equals, role = item.rpartition("=")
        if not equals or not column:
            raise RoleError(f"--map {item!r}: expected COLUMN=ROLE, e.g. --map score=prediction")
        mapping[column] = role.strip().lower()
    return mapping


def _normalised(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _score(role: str, column: LogColumn) -> tuple[int, int] | None:
    """How well a column suits a role, best first: a name of the role's (the earlier in its list, the better);
    a name that suggests it, with a type that fits; for timestamps, the type alone. None: not at all."""
    name, family = _normalised(column.name), type_family(column.type)
    if family == "other":
        return None
    if name in _NAMES[role]:
        return 3, -_NAMES[role].index(name)
    pattern = _PATTERNS.get(role)
    if pattern is not None and pattern.search(name) and family in _FITS[role] and not _IGNORED.search(name):
        return 2, 0
    return (1, 0) if role == "timestamp" and family == "temporal" else None


def _tied(role: str, columns: Sequence[LogColumn]) -> list[str]:
    """Columns whose names all name the role outright, equally well (`y_pred`, `Y-Pred`): the proposal would take
    the first and make the others features, which no one could tell from the result."""
    scores = {column.name: _score(role, column) for column in columns}
    best = max((score for score in scores.values() if score is not None), default=None)
    return [name for name, score in scores.items() if best is not None and best[0] == 3 and score == best]


def _feature_role(column: LogColumn) -> str:
    """The proposal for a column no single role took: a feature, unless it looks like a row id or cannot be one."""
    if _IGNORED.search(_normalised(column.name)) or type_family(column.type) in ("temporal", "other"):
        return "ignore"
    return _feature_kind(column)


def _feature_kind(column: LogColumn) -> str:
    return "numeric" if type_family(column.type) == "numeric" else "categorical"


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
