"""The reference of a comparison: first days, a date range or a stored profile, resolved with clear errors."""

from datetime import date, datetime, timedelta

import pytest

from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.table import require_log
from mldebt_core.monitoring.profiles import save_profile
from mldebt_core.monitoring.reference import BadReferenceError, Reference
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS
from tests.monitoring.helpers import period_of
from tests.monitoring.test_drift import log_store

START = datetime(2026, 3, 1, 6, 30)


@pytest.fixture
def store():
    """20 days, 10 rows a day from 06:30, of model 'a', and model 'b' from day 5 on."""
    rows = [(START + timedelta(days=d, minutes=m), "a", 0.5, float(m)) for d in range(20) for m in range(10)]
    rows += [(START + timedelta(days=d, hours=1), "b", 0.5, 1.0) for d in range(5, 20)]
    return log_store(rows)


def test_the_default_is_the_settings_first_days_from_midnight_of_the_first_row(store):
    period = period_of(store, "churn")
    assert period.start == datetime(2026, 3, 1)
    assert period.end == datetime(2026, 3, 1) + timedelta(days=DEFAULT_DRIFT_SETTINGS.reference_days)
    assert period.rows == 10 * DEFAULT_DRIFT_SETTINGS.reference_days + 2  # model b from day 5
    assert (period.model, period.profile) == (None, None)
    first_b = period_of(store, "churn", Reference.first_days(3), model="b")
    assert (first_b.start, first_b.end, first_b.rows) == (datetime(2026, 3, 6), datetime(2026, 3, 9), 3)


def test_a_range_is_start_inclusive_end_exclusive(store):
    period = period_of(store, "churn", Reference.between(date(2026, 3, 2), datetime(2026, 3, 3, 6, 35)))
    assert (period.start, period.end) == (datetime(2026, 3, 2), datetime(2026, 3, 3, 6, 35))
    assert period.rows == 10 + 5  # all of March 2, 06:30 … 06:34 of March 3
    assert Reference(start=date(2026, 3, 2), end=date(2026, 3, 3)) == Reference.between(datetime(2026, 3, 2),
                                                                                           datetime(2026, 3, 3))


@pytest.mark.parametrize("reference, message", [
    (Reference.between(date(2027, 1, 1), date(2027, 2, 1)), "lies outside the log of 'churn', which runs from "
                                                            "2026-03-01 06:30:00 to 2026-03-20 07:30:00"),
    (Reference.between(datetime(2026, 3, 2, 7), datetime(2026, 3, 2, 8)), "holds no rows in the log of 'churn'"),
    (Reference.stored("spring"), "has no reference profile 'spring' (profiles: none saved yet)"),
])
def test_unusable_references_say_why(store, reference, message):
    with pytest.raises(BadReferenceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        period_of(store, "churn", reference)


def test_unknown_systems_and_models_are_named_with_what_exists(store):
    with pytest.raises(NoLogError, match="system 'shop' has no prediction log"):
        period_of(store, "shop")
    with pytest.raises(BadReferenceError, match=r"no rows of model 'c' \(models: a, b\)"):
        period_of(store, "churn", model="c")
    with pytest.raises(BadReferenceError, match="holds no rows of model 'b'"):
        period_of(store, "churn", Reference.between(datetime(2026, 3, 7, 8), datetime(2026, 3, 7, 9)), model="b")


@pytest.mark.parametrize("make, message", [
    (lambda: Reference(days=3, profile="x"), "not several"),
    (lambda: Reference.first_days(0), "at least 1"),
    (lambda: Reference.between(date(2026, 3, 2), date(2026, 3, 2)), "start 2026-03-02 00:00:00 is not before end"),
    (lambda: Reference(start=datetime(2026, 3, 2)), "both a start and an end"),
    (lambda: Reference.stored(" "), "needs a name"),
])
def test_a_reference_is_said_one_way_and_sensibly(make, message):
    with pytest.raises(BadReferenceError, match=message):
        make()


def test_a_stored_profile_resolves_to_its_saved_period(store):
    saved = period_of(store, "churn", Reference.first_days(2))
    save_profile(store, require_log(store, "churn"), "spring", saved)
    period = period_of(store, "churn", Reference.stored("spring"))
    assert (period.start, period.end, period.rows, period.profile) == (saved.start, saved.end, 20, "spring")
    with pytest.raises(BadReferenceError, match=r"profiles: spring\)"):
        period_of(store, "churn", Reference.stored("autumn"))


def test_describe_says_the_reference_in_words():
    assert Reference().describe() == f"first {DEFAULT_DRIFT_SETTINGS.reference_days} days"
    assert Reference.between(date(2026, 3, 1), date(2026, 3, 8)).describe() == \
        "2026-03-01 00:00:00 to 2026-03-08 00:00:00"
    assert Reference.stored("spring").describe() == "stored profile 'spring'"
