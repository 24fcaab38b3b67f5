"""What changes a system's data re-runs its log analyses: a new scan (not the same one again), an action limit
added or removed, a feature source linked."""

from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.monitoring.limits import ActionLimit
from mldebt_core.store import ingest_scan
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.usecases.monitoring import add_limit, link_sources, remove_limit
from mldebt_core.usecases.scans import store_scan
from tests.store_helpers import SAMPLE_BYTES, as_bytes, modified_scan
from tests.usecases.conftest import SYSTEM


def monitoring_locations(store) -> set[str]:
    return set(analysis_findings(store, SYSTEM, "monitoring")["location"])


def test_a_new_scan_refreshes_the_findings_and_the_same_scan_again_does_not(store, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    ingest_logs(store, SYSTEM, [small_log])  # below the use case: no findings yet
    assert analysis_findings(store, SYSTEM).empty
    assert not store_scan(store, SAMPLE_BYTES, "again.json").created
    assert analysis_findings(store, SYSTEM).empty
    assert store_scan(store, as_bytes(modified_scan()), "later.json").created
    assert set(analysis_findings(store, SYSTEM)["source"]) == {"monitoring", "feedback"}


def test_a_limit_added_or_removed_is_judged_at_once(store, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    ingest_logs(store, SYSTEM, [small_log])
    limit = add_limit(store, SYSTEM, ActionLimit("mean_prediction", "day", upper=0.05, model="churn-v1"))
    assert "model:churn-v1" in monitoring_locations(store)
    assert analysis_findings(store, SYSTEM, "feedback").empty  # a limit is monitoring's only
    remove_limit(store, SYSTEM, limit.id)
    assert "model:churn-v1" not in monitoring_locations(store)


def test_linking_a_source_names_the_models_it_feeds_in_the_findings(store, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    ingest_logs(store, SYSTEM, [small_log])
    [outcome] = link_sources(store, SYSTEM, {"support_calls": "url:s3://crm-exports/events/latest.csv"})
    assert outcome.source == "monitoring" and outcome.findings > 0
    found = analysis_findings(store, SYSTEM, "monitoring")
    stale = found[found["message"].str.contains("is stale")]
    assert "feeds file:models/churn_model.joblib, file:models/upsell_model.joblib" in stale["message"].iloc[0]
    assert link_sources(store, SYSTEM, {}) == []
