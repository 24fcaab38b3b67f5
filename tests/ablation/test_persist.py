"""Ablation runs in the store: saved with their settings, read back, compared with the previous run, and turned
into underutilized_data_dependency findings that replace the system's earlier ones."""

from dataclasses import replace

import pytest

from mldebt_core.ablation import persist
from mldebt_core.ablation.run import AblationConfig, ablate
from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.ablation.table import load_table
from mldebt_core.settings import AblationSettings
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.store.db import MEMORY

FAST = AblationSettings(folds=3, workers=1)


@pytest.fixture(scope="module")
def results():
    """Two permutation-mode runs of the sample that differ by their seed (other folds, other shuffles)."""
    with Store(MEMORY) as store:
        table = load_table(store, SAMPLE_TABLE, SAMPLE_TABLE_SPEC.target, settings=FAST)
    first = ablate(table, AblationConfig("permutation"), settings=FAST)
    second = ablate(table, AblationConfig("permutation"), settings=AblationSettings(folds=3, seed=1, workers=1))
    return first, second


@pytest.mark.slow
def test_a_saved_run_reads_back_as_it_was(results):
    first, _ = results
    with Store(MEMORY) as store:
        run_id = persist.save_run(store, "churn", first, scan_id=None)
        run = persist.load_run(store, run_id)
        assert (run.id, run.system, run.table_name, run.target, run.method, run.metric) == (
            run_id, "churn", "feature_table.csv", "malignant", "permutation", "roc_auc")
        assert run.settings["folds"] == 3 and run.spearman["features"] == list(first.table.features)
        assert run.baseline == pytest.approx(first.baseline.mean)
        assert replace(run, id=None, system=None, created_at=None) == replace(persist.run_record(first),
                                                                             baseline=run.baseline)
        stored = persist.run_features(store, run_id)
        expected = persist.features_frame(first)
        assert list(stored.columns) == persist.FEATURE_COLUMNS
        assert list(stored["feature"]) == list(expected["feature"])
        assert list(stored["recommended"]) == list(expected["recommended"])
        assert stored["classification"].isna().sum() == expected["classification"].isna().sum()
        assert stored["benefit"].tolist() == pytest.approx(expected["benefit"].tolist())
        groups = persist.run_groups(store, run_id)
        assert set(groups["name"]) == {g.group.name for g in first.groups}
        runs = persist.list_runs(store, "churn")
        assert runs["recommended"].tolist() == [len(first.removal.features)]
        label = persist.run_labels(runs)[run_id]
        assert label.startswith(f"#{run_id} · feature_table.csv → malignant · permutation")


@pytest.mark.slow
def test_findings_name_each_removal_with_its_run(results):
    first, _ = results
    found = persist.findings(first, run_id=7)
    assert len(found) == len(first.removal.features) > 0
    assert {f.kind for f in found} == {"underutilized_data_dependency"}
    assert {f.location for f in found} == {f"feature:{name}" for name in first.removal.features}
    assert found[0].evidence["run_id"] == 7 and found[0].evidence["metric"] == "roc_auc"


@pytest.mark.slow
def test_saving_a_run_records_no_finding(results):
    with Store(MEMORY) as store:
        persist.save_run(store, "churn", results[0])
        assert analysis_findings(store, "churn").empty  # recording is the use case's rule


@pytest.mark.slow
def test_what_changed_since_the_previous_run_of_the_same_table_and_target(results):
    first, second = results
    with Store(MEMORY) as store:
        one = persist.save_run(store, "churn", first)
        assert persist.previous_run(store, one) is None
        two = persist.save_run(store, "churn", second)
        other = persist.save_run(store, "other-system", second)
        assert persist.previous_run(store, two) == one and persist.previous_run(store, other) is None
        changes = persist.run_changes(store, two, one)
        before, now = persist.features_frame(first), persist.features_frame(second)
        flipped = set(before[before["recommended"] != now.set_index("feature").loc[before["feature"], "recommended"]
                             .to_numpy()]["feature"])
        assert flipped <= set(changes["feature"])
        assert persist.run_changes(store, one, one).empty


@pytest.mark.slow
def test_the_headline_states_the_verified_change(results):
    run = replace(persist.run_record(results[0]), metric="roc_auc", baseline=0.98, verified_score=0.985,
                  verified_low=0.97, verified_high=0.99, predicted_score=0.979, confirmed=True, epsilon=0.003)
    assert persist.headline(run, 4) == ("remove these 4 features: ROC AUC 0.98 → 0.985 [0.97, 0.99] in one retrain "
                                        "without them (predicted 0.979; confirmed)")
    assert "not confirmed: it loses more than ε 0.003" in persist.headline(replace(run, confirmed=False), 4)
    assert persist.headline(run, 0) == "no feature to remove: every feature earns its place (ROC AUC 0.98)"
