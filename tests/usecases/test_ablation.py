"""The ablation use case: a table and a target in; for a system the run is stored, and only a run with the
default method, model and metric records its removals as findings (replacing the last such run's)."""

from dataclasses import replace

import pytest

from mldebt_core.ablation import persist
from mldebt_core.ablation.run import AblationConfig
from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.settings import AblationSettings
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.usecases.ablation import AblationRequest, run_ablation

FAST = AblationSettings(folds=3, workers=1)
SAMPLE = AblationRequest(SAMPLE_TABLE, SAMPLE_TABLE.name, SAMPLE_TABLE_SPEC.target,
                         config=AblationConfig("permutation"))


@pytest.mark.slow
def test_only_a_default_run_records_its_removals_and_every_run_is_stored(store):
    other = run_ablation(store, "churn", SAMPLE, FAST)
    assert other.run_id == 1 and other.recorded is None
    assert analysis_findings(store, "churn").empty
    default = run_ablation(store, "churn", replace(SAMPLE, config=AblationConfig()), FAST)
    assert default.recorded.findings == len(default.result.removal.features) > 0
    found = analysis_findings(store, "churn", persist.SOURCE)
    assert {f"feature:{name}" for name in default.result.removal.features} == set(found["location"])
    run_ablation(store, "churn", SAMPLE, FAST)  # another non-default run leaves the default run's findings
    assert analysis_findings(store, "churn", persist.SOURCE)["finding_id"].equals(found["finding_id"])
    assert persist.list_runs(store, "churn")["run_id"].tolist() == [3, 2, 1]


@pytest.mark.slow
def test_without_a_system_nothing_is_stored(store):
    outcome = run_ablation(store, None, replace(SAMPLE, table=SAMPLE_TABLE.read_bytes()), FAST)
    assert (outcome.run_id, outcome.scan_id, outcome.recorded) == (None, None, None)
    assert outcome.result.features and store.table_counts()["ablation_runs"] == 0


def test_the_default_config_is_judged_for_the_table_task():
    assert AblationConfig().is_default("classification")
    assert AblationConfig(metric="roc_auc").is_default("classification")
    assert not AblationConfig(metric="log_loss").is_default("classification")
    assert AblationConfig(metric="r2").is_default("regression")
    assert not AblationConfig(model="linear").is_default("regression")
