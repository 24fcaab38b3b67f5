"""The simulated prediction log: deterministic, and its planted episodes are where SAMPLE_SPEC says."""

from dataclasses import replace

import duckdb
import pytest

from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log
from tests.conftest import PROJECT, run

SAMPLE_LOG = PROJECT / "data" / "samples" / "predictions.parquet"


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The sample's log and its clean twin, written once for the module."""
    folder = tmp_path_factory.mktemp("simulated")
    return (simulate_log(SAMPLE_SPEC, folder / "sample.parquet"),
            simulate_log(SAMPLE_SPEC.clean(), folder / "clean.parquet"))


def query(sql: str) -> list[tuple]:
    """Rows of `sql` on a fresh in-memory DuckDB whose session time zone is UTC."""
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.execute(sql).fetchall()


def daily(path, expression: str, where: str = "true") -> dict[int, float]:
    """{day index: value of the aggregate `expression`} over the log's rows matching `where`."""
    start = SAMPLE_SPEC.start.isoformat()
    rows = query(f"SELECT date_diff('day', DATE '{start}', CAST(timestamp AT TIME ZONE 'UTC' AS DATE)) AS day, "
                      f"{expression} FROM read_parquet('{path}') WHERE {where} GROUP BY day ORDER BY day")
    return dict(rows)


def test_the_same_spec_writes_the_same_bytes_and_the_committed_sample_is_current(tmp_path, logs):
    small = replace(SAMPLE_SPEC, days=3, rows_per_day=200)
    first, again = simulate_log(small, tmp_path / "a.parquet"), simulate_log(small, tmp_path / "b.parquet")
    assert first.read_bytes() == again.read_bytes()
    other = simulate_log(replace(small, seed=small.seed + 1), tmp_path / "c.parquet")
    assert other.read_bytes() != first.read_bytes()
    assert SAMPLE_LOG.read_bytes() == logs[0].read_bytes()  # regenerate: mldebt simulate-log <that path>
    assert SAMPLE_LOG.stat().st_size < 6_000_000


def test_the_log_has_every_role_column_the_spec_promises(logs):
    sample, _ = logs
    described = {row[0]: row[1] for row in query(f"DESCRIBE SELECT * FROM read_parquet('{sample}')")}
    features = [*SAMPLE_SPEC.numeric_features, *SAMPLE_SPEC.categorical_features]
    assert list(described) == ["timestamp", "model", "segment", *features, "prediction", "label", "action"]
    assert described["timestamp"] == "TIMESTAMP WITH TIME ZONE" and described["label"] == "BOOLEAN"
    count, days, models, segments = query(
        "SELECT count(*), count(DISTINCT CAST(timestamp AT TIME ZONE 'UTC' AS DATE)), "
        "list(DISTINCT model ORDER BY model), "
        f"list(DISTINCT segment ORDER BY segment) FROM read_parquet('{sample}')")[0]
    assert count == SAMPLE_SPEC.rows and days == SAMPLE_SPEC.days
    assert models == sorted(name for name, _ in SAMPLE_SPEC.models) and segments == ["holdout", "treatment"]
    holdout = query(f"SELECT avg((segment = 'holdout')::INT) FROM read_parquet('{sample}')")[0][0]
    assert holdout == pytest.approx(SAMPLE_SPEC.holdout_share, abs=0.005)


def test_monthly_spend_drifts_on_its_days_only(logs):
    sample, clean = logs
    episode = next(e for e in SAMPLE_SPEC.drift if e.feature == "monthly_spend")
    means, sd = daily(sample, "avg(monthly_spend)"), daily(clean, "stddev(monthly_spend)")[0]
    baseline = daily(clean, "avg(monthly_spend)")
    for day, mean in means.items():
        shift = (mean - baseline[day]) / sd
        if episode.first_day <= day <= episode.last_day:
            assert shift == pytest.approx(SAMPLE_SPEC.drift_shift_sd, abs=0.2)
        else:
            assert shift == pytest.approx(0, abs=1e-9)
    assert max(baseline.values()) - min(baseline.values()) < 0.2 * sd


def test_a_new_plan_appears_on_its_days_only(logs):
    sample, clean = logs
    episode = next(e for e in SAMPLE_SPEC.drift if e.feature == "plan")
    share = daily(sample, f"avg((plan = '{SAMPLE_SPEC.new_category}')::INT)")
    for day, value in share.items():
        expected = SAMPLE_SPEC.new_category_share if episode.first_day <= day <= episode.last_day else 0
        assert value == pytest.approx(expected, abs=0.03)
    assert set(daily(clean, "count(DISTINCT plan)").values()) == {3}


def test_the_broken_producer_spikes_nulls_then_stops(logs):
    sample, clean = logs
    nulls = daily(sample, f"avg(({SAMPLE_SPEC.broken_producer} IS NULL)::INT)")
    first, last = SAMPLE_SPEC.null_spike_days
    for day, share in nulls.items():
        if day >= SAMPLE_SPEC.producer_stops_day:
            assert share == 1
        elif first <= day <= last:
            assert share == pytest.approx(SAMPLE_SPEC.null_spike_share, abs=0.03)
        else:
            assert share == 0
    assert set(daily(clean, f"count(*) - count({SAMPLE_SPEC.broken_producer})").values()) == {0}


def hourly_action_share(path) -> dict[tuple[int, int], float]:
    rows = query(
        f"SELECT date_diff('day', DATE '{SAMPLE_SPEC.start}', CAST(timestamp AT TIME ZONE 'UTC' AS DATE)), "
        f"hour(timestamp AT TIME ZONE 'UTC'), avg(action::INT) FROM read_parquet('{path}') "
        f"WHERE segment = 'treatment' GROUP BY ALL")
    return {(day, hour): share for day, hour, share in rows}


def test_actions_breach_the_limit_in_the_planted_hours_only_and_never_in_the_holdout(logs):
    sample, clean = logs
    day, first_hour, last_hour = SAMPLE_SPEC.action_breach
    breached = {key for key, share in hourly_action_share(sample).items() if share > SAMPLE_SPEC.action_limit_share}
    assert breached == {(day, hour) for hour in range(first_hour, last_hour + 1)}
    during = query(f"SELECT avg(action::INT) FROM read_parquet('{sample}') WHERE segment = 'treatment' AND "
                   f"timestamp >= TIMESTAMPTZ '{SAMPLE_SPEC.start}' + INTERVAL {day * 24 + first_hour} HOUR AND "
                   f"timestamp < TIMESTAMPTZ '{SAMPLE_SPEC.start}' + INTERVAL {day * 24 + last_hour + 1} HOUR")[0][0]
    assert during == pytest.approx(SAMPLE_SPEC.breach_action_share, abs=0.005)
    assert max(hourly_action_share(clean).values()) <= SAMPLE_SPEC.action_limit_share
    for path in logs:
        assert query(f"SELECT count(*) FROM read_parquet('{path}') WHERE segment = 'holdout' AND action"
                          )[0][0] == 0


def test_the_treatment_label_rate_climbs_from_the_loop_start_and_the_holdout_stays_calibrated(logs):
    sample, clean = logs
    gap = daily(sample, "avg(label::INT) - avg(prediction)", "segment = 'treatment' AND label IS NOT NULL")
    clean_gap = daily(clean, "avg(label::INT) - avg(prediction)", "segment = 'treatment' AND label IS NOT NULL")
    for day, value in gap.items():
        assert value - clean_gap[day] == pytest.approx(SAMPLE_SPEC.loop_lift(day), abs=0.01)
        assert clean_gap[day] == pytest.approx(0, abs=0.02)
    assert SAMPLE_SPEC.loop_lift(SAMPLE_SPEC.loop_start_day - 1) == 0
    assert SAMPLE_SPEC.loop_lift(SAMPLE_SPEC.days - 1) == SAMPLE_SPEC.loop_max
    late = (f"segment = 'holdout' AND timestamp >= TIMESTAMPTZ '{SAMPLE_SPEC.start}' "
            f"+ INTERVAL {SAMPLE_SPEC.loop_start_day} DAY")
    holdout = query(f"SELECT avg(label::INT) - avg(prediction) FROM read_parquet('{sample}') "
                         f"WHERE {late} AND label IS NOT NULL")[0][0]
    assert holdout == pytest.approx(0, abs=0.02)


def test_labels_are_missing_for_the_last_days_only(logs):
    for path in logs:
        missing = daily(path, "avg((label IS NULL)::INT)")
        last = SAMPLE_SPEC.days - SAMPLE_SPEC.label_delay_days
        assert {day for day, share in missing.items() if share == 1} == set(range(last, SAMPLE_SPEC.days))
        assert all(share == 0 for day, share in missing.items() if day < last)


def test_the_clean_log_holds_the_same_rows_without_episodes(logs):
    sample, clean = logs
    differing = query(
        f"SELECT count(*) FROM read_parquet('{sample}') a POSITIONAL JOIN read_parquet('{clean}') b "
        f"WHERE a.timestamp <> b.timestamp OR a.tenure_days <> b.tenure_days OR a.region <> b.region "
        f"OR a.prediction <> b.prediction")[0][0]
    assert differing == 0


def test_simulate_log_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "log.parquet"
    code, stdout, err = run(["simulate-log", str(out), "--days", "3", "--rows-per-day", "50", "--seed", "7",
                             "--clean"], capsys)
    assert (code, stdout) == (0, "") and "150 rows over 3 days" in err
    assert query(f"SELECT count(*) FROM read_parquet('{out}')")[0][0] == 150
    code, _, err = run(["simulate-log", str(out), "--days", "0"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--days 0" in err
    code, _, err = run(["simulate-log", str(tmp_path / "missing" / "x.parquet")], capsys)
    assert code == 2 and "does not exist" in err
