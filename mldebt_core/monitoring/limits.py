"""Action limits (paper § 7): user-defined bounds on what a model does per window, and their breaches.

A limit bounds one metric of one model (or of every model, each judged on its own) per window:

- `positive_share`: positive actions / rows with an action (0-1);
- `positive_actions`: number of positive actions;
- `mean_prediction`: mean prediction.

The log stores actions as text (see logs.table). An action is *positive* when its trimmed text is, ignoring
case, one of `LimitSettings.positive_actions` ('true', 'yes'), a number other than 0, or the value the limit
names as positive (e.g. 'offer'); anything else, e.g. 'false', '0', 'none', is negative, and a NULL action
(the holdout, where the system did nothing) counts in neither.
"""

import math
from dataclasses import dataclass, replace

import pandas as pd

from mldebt_core.errors import MldebtError
from mldebt_core.logs.table import LogSchema
from mldebt_core.logs.windows import ROW_START_SQL, WINDOWS, window_params
from mldebt_core.settings import DEFAULT_LIMIT_SETTINGS, LimitSettings
from mldebt_core.store import Store


@dataclass(frozen=True)
class Metric:
    title: str
    unit: str
    is_share: bool = False
    """a value from 0 to 1"""
    is_count: bool = False
    """a count, whatever the number of rows (never 'too few to judge')"""


METRICS: dict[str, Metric] = {
    "positive_share": Metric("share of positive actions", "share of the rows with an action, 0-1", is_share=True),
    "positive_actions": Metric("positive actions", "actions", is_count=True),
    "mean_prediction": Metric("mean prediction", "prediction units"),
}


class LimitError(MldebtError):
    """A limit that cannot be stored or evaluated as given."""


@dataclass(frozen=True)
class ActionLimit:
    metric: str
    """a key of METRICS"""
    window: str
    """'hour', 'day' or 'week' (UTC, weeks from Monday)"""
    lower: float | None = None
    """breached when the window's value is below this; None: no lower bound"""
    upper: float | None = None
    """breached when the window's value is above this; None: no upper bound"""
    model: str | None = None
    """None: every model, each on its own"""
    positive: str | None = None
    """an action text that also counts as positive (besides the settings' list and non-zero numbers)"""
    id: int | None = None
    """set once stored"""

    def __post_init__(self):
        if self.metric not in METRICS:
            raise LimitError(f"limit: unknown metric {self.metric!r}; expected one of {', '.join(METRICS)}")
        if self.window not in WINDOWS:
            raise LimitError(f"limit: unknown window {self.window!r}; expected one of {', '.join(WINDOWS)}")
        if self.lower is None and self.upper is None:
            raise LimitError("limit: give a lower bound, an upper bound or both")
        bounds = [b for b in (self.lower, self.upper) if b is not None]
        if any(not math.isfinite(b) for b in bounds):
            raise LimitError(f"limit: bounds must be finite numbers, got {bounds}")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise LimitError(f"limit: the lower bound {self.lower:g} is above the upper bound {self.upper:g}")
        info = METRICS[self.metric]
        if info.is_share and any(not 0 <= b <= 1 for b in bounds):
            raise LimitError(f"limit: {info.title} is a share from 0 to 1, got {bounds}")
        if info.is_count and any(b < 0 for b in bounds):
            raise LimitError(f"limit: {info.title} is a count, so its bounds cannot be negative, got {bounds}")
        if self.model is not None and not self.model.strip():
            raise LimitError("limit: the model name is empty (leave it out to limit every model)")
        if self.positive is not None and not self.positive.strip():
            raise LimitError("limit: the positive action value is empty")

    @property
    def unit(self) -> str:
        return METRICS[self.metric].unit

    @property
    def meaning(self) -> str:
        """The limit in plain words, e.g. 'share of positive actions per hour at most 0.35, for every model'."""
        if self.lower is not None and self.upper is not None:
            bound = f"between {self.lower:g} and {self.upper:g}"
        elif self.upper is not None:
            bound = f"at most {self.upper:g}"
        else:
            bound = f"at least {self.lower:g}"
        who = f"for model {self.model}" if self.model is not None else "for every model"
        extra = f" ('{self.positive}' counts as positive)" if self.positive is not None else ""
        return f"{METRICS[self.metric].title} per {self.window} {bound}, {who}{extra}"


def save_limit(store: Store, system: str, limit: ActionLimit) -> ActionLimit:
    """Store `limit` for `system` and return it with its id; a limit stored before is returned, not doubled."""
    params = {"system": system, "model": limit.model, "metric": limit.metric, "window": limit.window,
              "lower": limit.lower, "upper": limit.upper, "positive": limit.positive}
    if not store.query_value("SELECT count(*) FROM systems WHERE name = ?", [system]):
        raise LimitError(f"limit: there is no system {system!r} (store its scan or its log first)")
    with store.transaction() as cursor:
        found = cursor.execute(
            "SELECT id FROM action_limits WHERE system = $system AND model IS NOT DISTINCT FROM $model "
            "AND metric = $metric AND window_size = $window AND lower_bound IS NOT DISTINCT FROM $lower "
            "AND upper_bound IS NOT DISTINCT FROM $upper AND positive_value IS NOT DISTINCT FROM $positive",
            params).fetchone()
        if found is None:
            found = cursor.execute(
                "INSERT INTO action_limits (system, model, metric, window_size, lower_bound, upper_bound, "
                "positive_value) VALUES ($system, $model, $metric, $window, $lower, $upper, $positive) RETURNING id",
                params).fetchone()
    return replace(limit, id=found[0])


def list_limits(store: Store, system: str, model: str | None = None) -> list[ActionLimit]:
    """The system's limits in the order they were stored; with `model`, those that apply to it."""
    rows = store.query(
        "SELECT metric, window_size, lower_bound, upper_bound, model, positive_value, id FROM action_limits "
        "WHERE system = $system AND ($model IS NULL OR model IS NULL OR model = $model) ORDER BY id",
        {"system": system, "model": model})
    return [ActionLimit(*row) for row in rows]


def delete_limit(store: Store, system: str, limit_id: int) -> ActionLimit:
    """Delete one of the system's limits by id and return it."""
    removed = [limit for limit in list_limits(store, system) if limit.id == limit_id]
    if not removed:
        raise LimitError(f"limit {limit_id}: system {system} has no limit with this id (see `mldebt limits "
                         f"--system {system} --list`)")
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM action_limits WHERE system = ? AND id = ?", [system, limit_id])
    return removed[0]


def limits_table(limits: list[ActionLimit]) -> pd.DataFrame:
    """The limits with their unit and meaning, for listing."""
    return pd.DataFrame([{"limit_id": limit.id, "model": limit.model, "metric": limit.metric,
                          "window": limit.window, "lower": limit.lower, "upper": limit.upper,
                          "positive": limit.positive, "unit": limit.unit, "meaning": limit.meaning}
                         for limit in limits],
                        columns=["limit_id", "model", "metric", "window", "lower", "upper", "positive", "unit",
                                 "meaning"])


_VALUE = {
    "positive_share": "positives / nullif(acted, 0)",
    "positive_actions": "positives::DOUBLE",
    "mean_prediction": "mean_prediction",
}
_COLUMNS = ["limit_id", "metric", "window", "model", "window_start", "window_end", "rows", "value", "lower",
            "upper", "judged", "breached", "unit", "meaning"]


def evaluate_limits(store: Store, schema: LogSchema, model: str | None = None,
                    settings: LimitSettings = DEFAULT_LIMIT_SETTINGS) -> pd.DataFrame:
    """Every window's value of every limit of the log's system (those that apply to `model`, when given).

    One row per (limit, model, window), ordered by limit, model and time, with the columns of `_COLUMNS`: `rows`
    is what the value is over (rows with an action for `positive_share`, else all rows), `judged` whether there
    were enough rows to judge, `breached` whether a judged value is out of bounds.
    """
    limits = list_limits(store, schema.system, model)
    if not limits:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in _COLUMNS})
    frames = []
    for limit in limits:
        # the table name is system-generated (logs.table); every value is a parameter
        frames.append(store.query_df(
            # per distinct action first: each action text is then classified once, not once per row
            f"""WITH per_action AS (
                SELECT {ROW_START_SQL} AS window_start, model, action, count(*) AS n,
                    sum(prediction) AS predicted
                FROM {schema.table} WHERE $model IS NULL OR model = $model GROUP BY ALL),
            counts AS (
                SELECT window_start, model, sum(n) AS all_rows, coalesce(sum(n) FILTER (WHERE action IS NOT NULL), 0)
                        AS acted,
                    coalesce(sum(n) FILTER (WHERE list_contains($positives, lower(trim(action)))
                        OR TRY_CAST(action AS DOUBLE) <> 0 OR lower(trim(action)) = lower(trim($positive))), 0)
                        AS positives,
                    sum(predicted) / sum(n) AS mean_prediction
                FROM per_action GROUP BY ALL),
            valued AS (
                SELECT *, CASE WHEN $metric = 'positive_share' THEN acted ELSE all_rows END AS rows,
                    {_VALUE[limit.metric]} AS value FROM counts),
            judged AS (
                SELECT *, value IS NOT NULL AND ($is_count OR rows >= $min_rows) AS judged FROM valued)
            SELECT $id AS limit_id, $metric AS metric, $window AS window, model, window_start,
                window_start + ('1 ' || $window)::INTERVAL AS window_end, rows, value,
                $lower::DOUBLE AS lower, $upper::DOUBLE AS upper, judged,
                judged AND (coalesce(value < $lower, false) OR coalesce(value > $upper, false)) AS breached,
                $unit AS unit, $meaning AS meaning
            FROM judged ORDER BY model, window_start""",
            {**window_params(limit.window), "window": limit.window,
             "positives": [p.lower() for p in settings.positive_actions],
             "positive": limit.positive, "model": limit.model if limit.model is not None else model,
             "id": limit.id, "metric": limit.metric,
             "is_count": METRICS[limit.metric].is_count, "min_rows": settings.min_rows_per_window,
             "lower": limit.lower, "upper": limit.upper, "unit": limit.unit, "meaning": limit.meaning}))
    return pd.concat(frames, ignore_index=True)


def breaches(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The breached windows of an `evaluate_limits` result, in time order."""
    found = evaluation[evaluation["breached"].astype(bool)]
    return found.sort_values(["window_start", "limit_id", "model"], ignore_index=True).drop(
        columns=["judged", "breached"])
