"""The reference of a comparison: which period of a system's log counts as normal.

A `Reference` is said one of three ways:
- `Reference()` / `Reference.first_days(n)`: the log's first n days, from midnight UTC of its first row
  (default `DriftSettings.reference_days`);
- `Reference.between(start, end)`: the rows with start <= ts < end;
- `Reference.stored(name)`: a reference profile saved earlier (`mldebt drift --save-profile NAME`): frozen
  bins and shares of a past period, so later logs are compared with it even when its rows are gone.

`resolve_reference` turns one into a concrete `ReferencePeriod` of a system's log for a model (None: all models).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mldebt_core.errors import MldebtError
from mldebt_core.logs.table import LogSchema, log_models
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS
from mldebt_core.store import Store


class BadReferenceError(MldebtError):
    """The reference cannot be used: no log, no rows in it, an unknown profile, or a bad range."""


@dataclass(frozen=True)
class Reference:
    days: int | None = None
    """the first this many days of the log; None with no range and no profile: `DriftSettings.reference_days`"""
    start: date | datetime | None = None
    """with `end`: the range start <= ts < end (UTC, naive; a date is its midnight)"""
    end: date | datetime | None = None
    profile: str | None = None
    """the name of a stored reference profile"""

    def __post_init__(self):
        for bound in ("start", "end"):  # a date means its midnight (UTC, like the log's ts)
            value = getattr(self, bound)
            if value is not None:
                object.__setattr__(self, bound, _as_datetime(value))
        forms = (self.days is not None) + (self.start is not None or self.end is not None) + (self.profile is not None)
        if forms > 1:
            raise BadReferenceError("a reference is either first days, a date range or a stored profile, not several")
        if forms == 0:  # the default, spelled out: Reference() == Reference(days=<the default>)
            object.__setattr__(self, "days", DEFAULT_DRIFT_SETTINGS.reference_days)
        if self.days is not None and self.days < 1:
            raise BadReferenceError(f"reference days must be at least 1, not {self.days}")
        if (self.start is None) != (self.end is None):
            raise BadReferenceError("a reference range needs both a start and an end")
        if self.start is not None and self.start >= self.end:
            raise BadReferenceError(f"the reference range is empty: start {self.start} is not before end {self.end}")
        if self.profile is not None and not self.profile.strip():
            raise BadReferenceError("a reference profile needs a name")

    @classmethod
    def first_days(cls, days: int) -> "Reference":
        return cls(days=days)

    @classmethod
    def between(cls, start: date | datetime, end: date | datetime) -> "Reference":
        return cls(start=start, end=end)

    @classmethod
    def stored(cls, name: str) -> "Reference":
        return cls(profile=name)

    def describe(self) -> str:
        """Plain words for captions and reports."""
        if self.profile is not None:
            return f"stored profile {self.profile!r}"
        if self.start is not None:
            return f"{self.start.isoformat(sep=' ')} to {self.end.isoformat(sep=' ')}"
        return f"first {self.days} days"


@dataclass(frozen=True)
class ReferencePeriod:
    start: datetime
    """inclusive (UTC, naive, like the log's ts)"""
    end: datetime
    """exclusive"""
    rows: int
    """reference rows of the model (all models when model is None); a stored profile's rows when profile is set"""
    model: str | None
    profile: str | None = None
    """set when the period comes from a stored profile (its bins, not the log's rows, are the reference)"""


def resolve_reference(store: Store, schema: LogSchema, reference: Reference = Reference(),
                      model: str | None = None) -> ReferencePeriod:
    """The concrete period of `reference` in the log of `schema`, for `model` (None: all models)."""
    system = schema.system
    if reference.profile is not None:
        return _stored_period(store, system, reference.profile)
    first, last, rows = store.query(
        f"SELECT min(ts), max(ts), count(*) FROM {schema.table} WHERE $model IS NULL OR model = $model",
        {"model": model})[0]
    if rows == 0:
        raise BadReferenceError(_no_rows(store, schema, model))
    if reference.start is not None:
        start, end = reference.start, reference.end
        if end <= first or start > last:
            raise BadReferenceError(f"the reference {reference.describe()} lies outside the log of {system!r}, which "
                                 f"runs from {first.isoformat(sep=' ')} to {last.isoformat(sep=' ')}")
    else:
        start = datetime.combine(first.date(), time())
        end = start + timedelta(days=reference.days)
    count = store.query_value(
        f"SELECT count(*) FROM {schema.table} WHERE ts >= $start AND ts < $end AND ($model IS NULL OR model = $model)",
        {"start": start, "end": end, "model": model})
    if count == 0:
        raise BadReferenceError(f"the reference {reference.describe()} holds no rows"
                             f"{'' if model is None else f' of model {model!r}'} in the log of {system!r}")
    return ReferencePeriod(start, end, count, model)


def profile_names(store: Store, system: str) -> list[str]:
    return [row[0] for row in store.query(
        "SELECT name FROM reference_profiles WHERE system = ? ORDER BY name", [system])]


def _stored_period(store: Store, system: str, name: str) -> ReferencePeriod:
    row = store.query("SELECT start_ts, end_ts, row_count, model FROM reference_profiles "
                      "WHERE system = ? AND name = ?", [system, name])
    if not row:
        known = ", ".join(profile_names(store, system)) or "none saved yet"
        raise BadReferenceError(f"system {system!r} has no reference profile {name!r} (profiles: {known})")
    start, end, rows, model = row[0]
    return ReferencePeriod(start, end, rows, model, profile=name)


def _no_rows(store: Store, schema: LogSchema, model: str | None) -> str:
    if model is None:
        return f"the prediction log of {schema.system!r} has no rows"
    return (f"the prediction log of {schema.system!r} has no rows of model {model!r} "
            f"(models: {', '.join(log_models(store, schema))})")


def _as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())
