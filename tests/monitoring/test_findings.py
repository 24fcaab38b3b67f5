"""Monitoring alerts become findings: on the simulated sample they name exactly the planted episodes (right
column, right windows); on the clean simulation there are none."""

import json
from datetime import datetime, timedelta

import pytest

from mldebt_core.monitoring.alerts import configure_sample, record_monitoring_findings
from mldebt_core.monitoring.ingest import ingest_logs
from mldebt_core.monitoring.simulate import SAMPLE_SPEC, simulate_log
from mldebt_core.store import Store, ingest_scan
from mldebt_core.store.analysis_findings import analysis_findings
from tests.store_helpers import SAMPLE_BYTES

SYSTEM = "churn-system"
START = datetime.combine(SAMPLE_SPEC.start, datetime.min.time())


def day(index: int) -> datetime:
    return START + timedelta(days=index)


def simulated_store(folder, spec) -> Store:
    store = Store(":memory:")
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    ingest_logs(store, SYSTEM, [simulate_log(spec, folder / "log.parquet")])
    return store


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    store = simulated_store(tmp_path_factory.mktemp("sample"), SAMPLE_SPEC)
    configure_sample(store, SYSTEM)
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
    configure_sample(store, SYSTEM)
    assert analysis_findings(store, SYSTEM, "monitoring").empty


def test_recording_again_replaces_the_previous_findings(tmp_path):
    store = simulated_store(tmp_path, SAMPLE_SPEC)
    first = configure_sample(store, SYSTEM)
    again = record_monitoring_findings(store, SYSTEM)
    assert [f.id for f in again] == [f.id for f in first]
    assert len(analysis_findings(store, SYSTEM, "monitoring")) == len(first)
