"""Monitoring alerts become findings: on the simulated sample they name exactly the planted episodes (right
column, right windows); on the clean simulation there are none."""

import json
from datetime import datetime, timedelta

import pytest

from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log
from mldebt_core.logs.table import create_log_table
from mldebt_core.samples import SAMPLE_SCAN, load_sample
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.usecases.monitoring import run_monitoring

SYSTEM = "churn-system"
START = datetime.combine(SAMPLE_SPEC.start, datetime.min.time())


def day(index: int) -> datetime:
    return START + timedelta(days=index)


def simulated_store(folder, spec) -> Store:
    """The sample system loaded with a log simulated from `spec`, watched as the sample is (its limit and sources)."""
    store = Store(":memory:")
    load_sample(store, SAMPLE_SCAN, simulate_log(spec, folder / "log.parquet"))
    return store


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    store = simulated_store(tmp_path_factory.mktemp("sample"), SAMPLE_SPEC)
    found = analysis_findings(store, SYSTEM, "monitoring")
    found["evidence"] = found["evidence"].map(json.loads)
    return found


def of(found, prefix: str):
    return found[found["finding_id"].str.startswith("monitoring_gap:")
                 & found["location"].str.startswith(prefix)].reset_index(drop=True)


def test_the_action_limit_breach_is_found_in_its_hours(sample):
    breach_day, first_hour, last_hour = SAMPLE_SPEC.action_breach
    limits = sample[sample["message"].str.startswith("action limit breached")]
    assert sorted(limits["location"]) == ["model:churn-v1", "model:churn-v2"]  # both serve the treatment
    expected = [(day(breach_day) + timedelta(hours=h)).isoformat() for h in range(first_hour, last_hour + 1)]
    for evidence in limits["evidence"]:
        assert evidence["windows"] == [w.replace("T", " ") for w in expected]
        assert evidence["column"] == "action" and evidence["upper"] == SAMPLE_SPEC.action_limit_share
        assert evidence["value"] > SAMPLE_SPEC.action_limit_share
        assert evidence["meaning"] == "share of positive actions per hour at most 0.35, for every model"


def test_the_broken_producer_is_found_on_its_days_and_no_other_feature(sample):
    producers = sample[sample["evidence"].map(lambda e: "check" in e)]
    assert set(producers["location"]) == {f"feature:{SAMPLE_SPEC.broken_producer}"}
    by_check = {e["check"]: e for e in producers["evidence"]}
    assert set(by_check) == {"nulls", "sudden_change", "stale"}
    first, last = SAMPLE_SPEC.null_spike_days
    planted = [*range(first, last + 1), *range(SAMPLE_SPEC.producer_stops_day, SAMPLE_SPEC.days)]
    assert by_check["nulls"]["windows"] == [str(day(d)) for d in planted]
    assert by_check["nulls"]["value"] == 1.0 and by_check["nulls"]["column"] == "support_calls"
    assert set(by_check["sudden_change"]["windows"]) <= set(by_check["nulls"]["windows"])
    assert by_check["sudden_change"]["windows"][0] == str(day(first))  # the onset
    stale = by_check["stale"]
    assert stale["window"].startswith(str(day(SAMPLE_SPEC.producer_stops_day - 1).date()))  # its last value
    assert stale["value"] == pytest.approx(24 * (SAMPLE_SPEC.days - SAMPLE_SPEC.producer_stops_day), abs=0.1)
    # the declared source, through the sample scan's lineage
    assert stale["source"] == "url:s3://crm-exports/events/latest.csv"
    assert stale["feeds"] == ["file:models/churn_model.joblib", "file:models/upsell_model.joblib"]
    assert set(producers["severity"]) == {"high"}  # stale: the producer is down at the log's end


def test_a_clean_simulation_gives_no_finding(tmp_path):
    store = simulated_store(tmp_path, SAMPLE_SPEC.clean())
    assert analysis_findings(store, SYSTEM, "monitoring").empty


def test_running_again_with_the_defaults_replaces_the_previous_findings(tmp_path):
    store = simulated_store(tmp_path, SAMPLE_SPEC)
    first = analysis_findings(store, SYSTEM, "monitoring")
    again = run_monitoring(store, SYSTEM)
    assert again.recorded.findings == len(first) > 0
    assert sorted(f.id for f in again.view.findings) == sorted(first["finding_id"])
    assert len(analysis_findings(store, SYSTEM, "monitoring")) == len(first)


def test_a_producer_that_never_delivered_is_stale_and_says_so():
    store = Store(":memory:")
    with store.transaction() as cursor:
        schema = create_log_table(cursor, "shop", [("age", "numeric")])
        cursor.executemany(f"INSERT INTO {schema.table} (file_id, ts, model, prediction) VALUES (1, ?, 'm', 0.5)",
                           [[START + timedelta(minutes=10 * i)] for i in range(3 * 144)])
    stale = [f for f in run_monitoring(store, "shop").view.findings if f.anchor == "producer:stale"]
    assert [(f.location, f.message, f.evidence["value"]) for f in stale] == [
        ("feature:age", "producer of age is stale: it never delivered a value", None)]
