"""The sample ablation, computed once per test session: the sample table with the sample system's lineage, ablated
with the default settings and method."""

import pytest

from mldebt_core.ablation.lineage import feature_costs
from mldebt_core.ablation.run import ablate
from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.ablation.table import load_table
from mldebt_core.store import Store, ingest_scan
from mldebt_core.store.db import MEMORY
from tests.store_helpers import SAMPLE_BYTES


@pytest.fixture(scope="session")
def sample_ablation():
    with Store(MEMORY) as store:
        scan_id = ingest_scan(store, SAMPLE_BYTES, "demo_scan.json").scan_id
        table = load_table(store, SAMPLE_TABLE, SAMPLE_TABLE_SPEC.target)
        return ablate(table, costs=feature_costs(store, scan_id, table.features))
