"""Drift against a reference: statistics agree with scipy/numpy, levels, stored profiles, planted episodes."""

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log
from mldebt_core.logs.table import create_log_table, load_log_schema, require_log
from mldebt_core.monitoring.findings import drift_findings as alert_findings
from mldebt_core.monitoring.profiles import save_profile
from mldebt_core.monitoring.reference import BadReferenceError, Reference
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS
from mldebt_core.store import Store
from tests.monitoring.helpers import drift, period_of

DAY0 = datetime(2026, 3, 2)  # a Monday
EXACT = DEFAULT_DRIFT_SETTINGS
GRID = replace(DEFAULT_DRIFT_SETTINGS, exact_max_rows=0)
TOLERANCE = 1e-6


def log_store(rows: list[tuple], features=(("age", "numeric"),), system: str = "churn") -> Store:
    """A store whose `system` has a log of (ts, model, prediction, *feature values) rows."""
    store = Store(":memory:")
    with store.transaction() as cursor:
        schema = create_log_table(cursor, system, list(features))
        columns = ", ".join(f.column for f in schema.features)
        marks = ", ".join("?" * len(schema.features))
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction, {columns}) "
                           f"VALUES (1, ?, ?, ?, {marks})", rows)
    return store


def day_rows(sizes: list[int], draw, start: datetime = DAY0) -> list[tuple]:
    """`sizes[d]` rows on day d, spread over the day: (ts, 'm', prediction, feature) with draw(day, n) -> (p, x)."""
    rows = []
    for day, size in enumerate(sizes):
        predictions, values = draw(day, size)
        step = timedelta(days=1) / size
        rows += [(start + timedelta(days=day) + k * step, "m", float(p), float(x))
                 for k, (p, x) in enumerate(zip(predictions, values))]
    return rows


def numpy_psi_js(reference: np.ndarray, window: np.ndarray, bins: int = 10, eps: float = 1e-4):
    """The documented PSI and JS, directly: bins at the reference's quantiles (inverted CDF), a value on an edge
    in the lower bin, shares below eps counted as eps."""
    edges = np.unique(np.quantile(reference, np.arange(1, bins) / bins, method="inverted_cdf"))
    r = np.bincount(np.searchsorted(edges, reference), minlength=len(edges) + 1) / len(reference)
    w = np.bincount(np.searchsorted(edges, window), minlength=len(edges) + 1) / len(window)
    a, b = np.maximum(r, eps), np.maximum(w, eps)
    return np.sum((b - a) * np.log(b / a)), jensenshannon(r, w, base=2)


def expected(reference: np.ndarray, window: np.ndarray, period: np.ndarray | None = None) -> dict:
    """The statistics of `window` against `reference` by scipy and numpy; Wasserstein in standard deviations of
    the whole reference period (`period`, default `reference`)."""
    ks = ks_2samp(reference, window, method="asymp")
    psi, js = numpy_psi_js(reference, window)
    std = (reference if period is None else period).std()
    return {"ks": ks.statistic, "ks_pvalue": ks.pvalue, "wasserstein": wasserstein_distance(reference, window),
            "psi": psi, "js": js, "wasserstein_std": wasserstein_distance(reference, window) / std}


@pytest.fixture(scope="module")
def shifting():
    """Four days (1001, 400, 353, 500 rows) whose feature's mean and spread grow day by day (rounded to cents,
    so values tie); predictions uniform."""
    rng = np.random.default_rng(3)
    rows = day_rows([1001, 400, 353, 500],
                    lambda d, n: (rng.random(n), np.round(rng.normal(0.3 * d, 1 + 0.2 * d, n), 2)))
    return rows, log_store(rows)


def columns_of(rows) -> dict[str, np.ndarray]:
    return {"ts": np.array([r[0] for r in rows]), "prediction": np.array([r[2] for r in rows]),
            "age": np.array([r[3] for r in rows])}


def test_small_logs_get_exact_statistics_equal_to_scipy_and_numpy(shifting):
    rows, store = shifting
    report = drift(store, "churn", Reference.first_days(1))
    assert report.exact and len(report.windows) == 8
    data = columns_of(rows)
    day = (data["ts"] - DAY0) // timedelta(days=1)
    for _, got in report.windows.iterrows():
        d = (got["window_start"] - DAY0).days
        values = data[got["column"]]
        if d == 0:  # the reference's own window is compared with the rest of the reference: nothing
            assert got["values"] == 1001 and got["reference_values"] == 0 and np.isnan(got["psi"])
            continue
        want = expected(values[day == 0], values[day == d])
        assert got["reference_values"] == 1001 and got["values"] == (day == d).sum()
        for statistic, value in want.items():
            assert got[statistic] == pytest.approx(value, abs=TOLERANCE), (got["column"], d, statistic)


def test_a_window_is_compared_with_the_reference_without_its_own_rows(shifting):
    """Week windows and a reference from Thursday noon to the next Monday noon: each week holds part of it."""
    rows, _ = shifting
    late = [(ts + timedelta(days=7), model, p, x) for ts, model, p, x in rows]  # a second week, same values
    store = log_store(rows + late)
    start, end = DAY0 + timedelta(days=3, hours=12), DAY0 + timedelta(days=7, hours=12)
    report = drift(store, "churn", Reference.between(start, end), window="week")
    data = columns_of(rows + late)
    in_reference = (data["ts"] >= start) & (data["ts"] < end)
    for _, got in report.windows[report.windows["column"] == "age"].iterrows():
        own = (data["ts"] >= got["window_start"]) & (data["ts"] < got["window_start"] + timedelta(weeks=1))
        want = expected(data["age"][in_reference & ~own], data["age"][own], data["age"][in_reference])
        assert got["reference_values"] == (in_reference & ~own).sum() > 0
        for statistic, value in want.items():
            assert got[statistic] == pytest.approx(value, abs=TOLERANCE), statistic
    assert not report.windows["in_reference"].any()  # no week lies wholly inside the reference


def test_categorical_columns_compare_categories_and_name_new_and_vanished_ones():
    plans = [["basic"] * 60 + ["pro"] * 30 + ["team"] * 10, ["basic"] * 50 + ["pro"] * 50,
             ["basic"] * 40 + ["pro"] * 40 + ["enterprise"] * 15 + ["team"] * 5]
    rows = [(DAY0 + timedelta(days=d, minutes=k), "m", 0.5, plan) for d, day in enumerate(plans)
            for k, plan in enumerate(day)]
    store = log_store(rows, features=(("plan", "categorical"),))
    report = drift(store, "churn", Reference.first_days(1),
                          settings=replace(EXACT, min_window_rows=1))
    plan = report.windows[report.windows["column"] == "plan"]
    plan = plan.set_index(plan["window_start"].dt.day)
    categories = ["basic", "enterprise", "pro", "team"]
    shares = [np.array([day.count(c) for c in categories]) / len(day) for day in plans]
    for d in (1, 2):
        a, b = np.maximum(shares[0], 1e-4), np.maximum(shares[d], 1e-4)
        assert plan.loc[DAY0.day + d, "psi"] == pytest.approx(np.sum((b - a) * np.log(b / a)), abs=TOLERANCE)
        assert plan.loc[DAY0.day + d, "js"] == pytest.approx(jensenshannon(shares[0], shares[d], base=2),
                                                             abs=TOLERANCE)
    assert plan.loc[DAY0.day + 1, "vanished_categories"] == ["team"] and plan.loc[DAY0.day + 1, "new_categories"] == []
    assert plan.loc[DAY0.day + 2, "new_categories"] == ["enterprise"]
    assert plan.loc[DAY0.day + 2, "level"] == "alert" and "psi" in plan.loc[DAY0.day + 2, "reason"]
    assert np.isnan(plan.loc[DAY0.day + 1, "ks"]) and plan.loc[DAY0.day + 1, "kind"] == "categorical"


def test_large_logs_use_the_grid_within_its_documented_error():
    rng = np.random.default_rng(11)
    rows = day_rows([3000, 3000, 3000], lambda d, n: (rng.beta(2, 5, n), rng.lognormal(0.2 * d, 1.0, n)))
    store = log_store(rows)
    report = drift(store, "churn", Reference.first_days(1), settings=GRID)
    assert not report.exact
    data = columns_of(rows)
    day = (data["ts"] - DAY0) // timedelta(days=1)
    for column in ("prediction", "age"):
        reference = data[column][day == 0]
        width = (reference.max() - reference.min()) / GRID.grid_cells
        cell = np.clip(np.floor((data[column] - reference.min()) / width), -1, GRID.grid_cells)
        for d in (1, 2):
            got = report.windows[(report.windows["column"] == column)
                                 & (report.windows["window_start"] == DAY0 + timedelta(days=d))].iloc[0]
            window = data[column][day == d]
            want = expected(reference, window)
            largest_cell = max(np.unique(cell[day == 0], return_counts=True)[1].max() / len(reference),
                               np.unique(cell[day == d], return_counts=True)[1].max() / len(window))
            assert abs(got["ks"] - want["ks"]) <= largest_cell
            assert abs(got["wasserstein"] - want["wasserstein"]) <= width
            assert got["psi"] == pytest.approx(want["psi"], abs=0.02)  # bins: quantiles rounded to cell edges
            assert got["js"] == pytest.approx(want["js"], abs=0.02)


def test_values_beyond_the_reference_range_count_exactly_in_wasserstein():
    rows = day_rows([500, 500], lambda d, n: (np.full(n, 0.5), np.linspace(0, 1, n) + 10 * d))
    store = log_store(rows)
    got = drift(store, "churn", Reference.first_days(1), settings=GRID).windows
    age = got[(got["column"] == "age") & (got["window_start"] == DAY0 + timedelta(days=1))].iloc[0]
    assert age["wasserstein"] == pytest.approx(10.0, abs=1 / GRID.grid_cells)  # the reference's range is 1 wide
    assert 1 - 1 / 500 - 1e-12 <= age["ks"] <= 1  # at most the one reference value of the top cell off


def test_fixed_levels_grade_windows_and_few_values_never_alert(shifting):
    rows, store = shifting
    report = drift(store, "churn", Reference.first_days(1),
                          settings=replace(EXACT, min_window_rows=400))
    age = report.windows[report.windows["column"] == "age"].set_index("window_start")
    assert age.loc[DAY0 + timedelta(days=1), "level"] == "alert"  # the worst of: warn, warn, alert
    assert age.loc[DAY0 + timedelta(days=1), "reason"] == ("psi 0.131 > 0.1; js 0.153 > 0.1; "
                                                           "wasserstein_std 0.291 > 0.25")
    assert age.loc[DAY0 + timedelta(days=1), "alert_ratio"] == pytest.approx(0.291335 / 0.25, abs=1e-5)
    assert (age.loc[DAY0 + timedelta(days=2), ["level", "reason"]] == ["ok", ""]).all()  # 353 values: too few
    assert age.loc[DAY0 + timedelta(days=3), "level"] == "alert"
    assert set(report.windows.loc[report.windows["column"] == "prediction", "level"]) == {"ok"}
    levels = report.levels.set_index(["column", "statistic"])
    assert levels.loc[("age", "psi"), "alert"] == EXACT.psi_alert and not levels["adaptive"].any()
    assert set(levels.loc["prediction"].index) == {"psi", "js", "wasserstein_std"}


def test_adaptive_levels_come_from_the_windows_of_the_reference():
    rng = np.random.default_rng(5)
    rows = day_rows([300] * 10, lambda d, n: (rng.random(n), rng.normal(1.0 if d >= 8 else 0.0, 1, n)))
    store = log_store(rows)
    report = drift(store, "churn", Reference.first_days(7), adaptive=True)
    levels = report.levels.set_index(["column", "statistic"])
    inside = report.windows[report.windows["in_reference"] & (report.windows["column"] == "age")]
    assert len(inside) == 7 and levels["adaptive"].all()
    k = DEFAULT_DRIFT_SETTINGS.adaptive_sigmas
    assert levels.loc[("age", "psi"), "alert"] == pytest.approx(inside["psi"].mean() + k * inside["psi"].std())
    age = report.windows[report.windows["column"] == "age"]
    assert list(age.loc[age["window_start"] >= DAY0 + timedelta(days=8), "level"]) == ["alert", "alert"]
    assert set(age.loc[age["window_start"] < DAY0 + timedelta(days=8), "level"]) == {"ok"}
    with pytest.raises(BadReferenceError, match="adaptive levels need at least two days"):
        drift(store, "churn", Reference.first_days(1), adaptive=True)


def test_a_stored_profile_compares_later_logs_after_the_reference_rows_are_gone(shifting):
    store = log_store(shifting[0])
    live = drift(store, "churn", Reference.first_days(2), settings=GRID).windows
    save_profile(store, require_log(store, "churn"), "spring", period_of(store, "churn", Reference.first_days(2)), GRID)
    table = load_log_schema(store, "churn").table
    with store.transaction() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE ts < ?", [DAY0 + timedelta(days=2)])
    stored = drift(store, "churn", Reference.stored("spring"), settings=GRID)
    assert stored.period.profile == "spring" and len(stored.windows) == 4  # days 2 and 3, two columns
    later = live[live["window_start"] >= DAY0 + timedelta(days=2)].reset_index(drop=True)
    for statistic in ("psi", "js", "ks", "wasserstein", "reference_values", "values"):
        assert np.allclose(stored.windows[statistic], later[statistic], atol=1e-12), statistic
    with pytest.raises(BadReferenceError, match="saved from a period of the log, not from another profile"):
        save_profile(store, require_log(store, "churn"), "copy", stored.period)


def test_columns_without_values_in_a_window_get_no_statistics():
    rows = day_rows([200, 200], lambda d, n: (np.full(n, 0.5), np.arange(n, dtype=float)))
    rows = [(ts, m, p, x if ts < DAY0 + timedelta(days=1) else None) for ts, m, p, x in rows]
    got = drift(log_store(rows), "churn", Reference.first_days(1)).windows
    silent = got[(got["column"] == "age") & (got["values"] == 0)]
    assert len(silent) == 1 and silent[["psi", "js", "ks", "wasserstein"]].isna().all(axis=None)
    assert silent["level"].item() == "ok"


def test_alerts_become_monitoring_gap_findings(shifting):
    _, store = shifting
    windows = drift(store, "churn", Reference.first_days(1)).windows
    findings = alert_findings(windows)
    assert [(f.kind, f.location, f.anchor) for f in findings] == [("monitoring_gap", "feature:age", "drift")]
    evidence = findings[0].evidence
    assert evidence["column"] == "age" and evidence["level"] == "alert" and evidence["window_size"] == "day"
    assert evidence["windows"] == [DAY0 + timedelta(days=d) for d in (1, 2, 3)]
    assert (evidence["window"], evidence["statistic"]) == (DAY0 + timedelta(days=3), "wasserstein_std")
    assert findings[0].message.startswith("age drifted in 3 day(s) from 2026-03-03 00:00 to 2026-03-05 00:00; "
                                          "worst psi 0.581 > 0.25")
    assert alert_findings(windows[windows["level"] != "alert"]) == []


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """The sample's log and its clean twin at 1,500 rows a day (a grid: more than exact_max_rows rows)."""
    folder = tmp_path_factory.mktemp("drift")
    spec = replace(SAMPLE_SPEC, rows_per_day=1500)
    stores = {}
    for name, each in (("sample", spec), ("clean", spec.clean())):
        store = Store(":memory:")
        ingest_logs(store, "churn", [simulate_log(each, folder / f"{name}.parquet")])
        stores[name] = store
    return spec, stores


def test_the_sample_log_alerts_exactly_on_its_planted_drift_episodes(simulated):
    spec, stores = simulated
    windows = drift(stores["sample"], "churn").windows
    flagged = windows[windows["level"] != "ok"]
    days = (flagged["window_start"] - pd.Timestamp(spec.start)).dt.days
    found = {column: sorted(days[flagged["column"] == column]) for column in flagged["column"].unique()}
    assert found == {e.feature: list(range(e.first_day, e.last_day + 1)) for e in spec.drift}
    assert set(flagged["level"]) == {"alert"}
    assert {f.location for f in alert_findings(windows)} == {f"feature:{e.feature}" for e in spec.drift}


def test_the_clean_simulation_raises_nothing(simulated):
    _, stores = simulated
    windows = drift(stores["clean"], "churn", window="week").windows
    assert set(windows["level"]) == {"ok"}
    assert alert_findings(drift(stores["clean"], "churn").windows) == []


SAMPLED = replace(GRID, sample_rows=1000)


def test_large_windows_are_sampled_deterministically_within_sampling_error():
    rng = np.random.default_rng(12)
    rows = day_rows([3000, 3000, 3000], lambda d, n: (rng.beta(2, 5, n), rng.normal(0.1 * d, 1.0, n)))
    store = log_store(rows)
    full = drift(store, "churn", Reference.first_days(1), settings=GRID).windows
    sampled = drift(store, "churn", Reference.first_days(1), settings=SAMPLED).windows
    assert not full["sampled"].any() and sampled["sampled"].all()
    assert sampled["values"].between(850, 1150).all()  # about sample_rows of each window's 3,000 (5 sigma)
    compared = sampled["ks"].notna()
    for statistic, error in (("ks", 0.08), ("psi", 0.05), ("wasserstein_std", 0.1)):
        assert (sampled.loc[compared, statistic] - full.loc[compared, statistic]).abs().max() < error
    again = drift(store, "churn", Reference.first_days(1), settings=SAMPLED).windows
    pd.testing.assert_frame_equal(sampled, again)


def test_a_sampled_log_alerts_exactly_on_its_planted_episodes_and_the_clean_one_stays_silent(simulated):
    spec, stores = simulated
    windows = drift(stores["sample"], "churn", settings=replace(DEFAULT_DRIFT_SETTINGS, sample_rows=800)).windows
    assert windows["sampled"].all()
    flagged = windows[windows["level"] == "alert"]  # 800 rows a window: warn (0.1) is within sampling noise
    days = (flagged["window_start"] - pd.Timestamp(spec.start)).dt.days
    found = {column: sorted(days[flagged["column"] == column]) for column in flagged["column"].unique()}
    assert found == {e.feature: list(range(e.first_day, e.last_day + 1)) for e in spec.drift}
    clean = drift(stores["clean"], "churn", settings=replace(DEFAULT_DRIFT_SETTINGS, sample_rows=800)).windows
    assert "alert" not in set(clean["level"])
