"""Feature costs from the sample scan's lineage: matched by artifact stem or by a word of the reading code."""

import pytest

from mldebt_core.ablation.lineage import FeatureCost, feature_costs
from mldebt_core.store import Store, ingest_scan
from mldebt_core.store.db import MEMORY
from tests.store_helpers import SAMPLE_BYTES


@pytest.fixture(scope="module")
def scanned():
    with Store(MEMORY) as store:
        yield store, ingest_scan(store, SAMPLE_BYTES, "demo_scan.json").scan_id


def test_a_feature_named_after_an_artifact_costs_its_upstream_and_unstable_sources(scanned):
    store, scan_id = scanned
    costs = feature_costs(store, scan_id, ("events_clicks_7d", "EVENTS", "plans_v3_price", "mean radius"))
    # data/interim/events.parquet is written by churn/ingest.py from five raw inputs, two of them unstable
    # (the S3 URL and data/raw/customers.csv)
    assert costs["events_clicks_7d"] == FeatureCost(("file:data/interim/events.parquet",), 6, 1, 2)
    assert costs["EVENTS"] == costs["events_clicks_7d"]
    assert costs["plans_v3_price"] == FeatureCost(("file:data/raw/plans_v3.csv",), 1, 0, 0)
    assert costs["mean radius"] == FeatureCost()


def test_a_feature_named_in_the_reading_code_costs_that_source(scanned):
    store, scan_id = scanned
    # upsell/steps/s2_join_accounts.py: pd.read_sql('SELECT customer_id, seats FROM analytics.customer_snapshot')
    seats = feature_costs(store, scan_id, ("seats",))["seats"]
    assert seats.sources == ("table:analytics.customer_snapshot",)
    assert (seats.upstream_artifacts, seats.unstable_sources) == (3, 2)  # the snapshot, invoices and customers


def test_short_names_and_no_scan_cost_nothing(scanned):
    store, scan_id = scanned
    assert feature_costs(store, scan_id, ("id", "x"))["x"] == FeatureCost()
    assert feature_costs(store, None, ("events_clicks_7d",)) == {"events_clicks_7d": FeatureCost()}


def test_a_declared_feature_source_costs_that_source_whatever_the_names():
    from mldebt_core.logs.table import create_log_table
    from mldebt_core.monitoring.producers import link_source

    with Store(MEMORY) as store:
        scan_id = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json").scan_id
        system = store.query_value("SELECT system FROM scans WHERE id = ?", [scan_id])
        with store.transaction() as cursor:  # the feature is logged in production too, so its source was declared
            create_log_table(cursor, system, [("mean radius", "numeric")])
        assert feature_costs(store, scan_id, ("mean radius",), system)["mean radius"] == FeatureCost()
        link_source(store, system, "mean radius", "data/raw/plans_v3.csv")
        cost = feature_costs(store, scan_id, ("mean radius",), system)["mean radius"]
        assert cost == FeatureCost(("file:data/raw/plans_v3.csv",), 1, 0, 0)
        assert feature_costs(store, scan_id, ("mean radius",))["mean radius"] == FeatureCost()  # no system given
