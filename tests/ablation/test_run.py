"""Whole ablation runs. On the sample table with the default settings, the planted features get their documented
classes and the strong real features are never recommended; small synthetic tables cover the other paths."""

from itertools import pairwise

import numpy as np
import pytest

from mldebt_core.ablation.errors import TableError
from mldebt_core.ablation.groups import Group
from mldebt_core.ablation.run import AblationConfig, ablate
from mldebt_core.ablation.sample import SAMPLE_TABLE_SPEC
from mldebt_core.ablation.table import load_table
from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS, AblationSettings
from mldebt_core.store import Store
from mldebt_core.store.db import MEMORY

SPEC = SAMPLE_TABLE_SPEC


def by_name(result):
    return {f.name: f for f in result.features}


@pytest.mark.slow
def test_the_planted_features_get_their_documented_classes(sample_ablation):
    sample = sample_ablation
    features = by_name(sample)
    assert {name: features[name].classification for name in SPEC.truth} == SPEC.truth
    assert features[SPEC.legacy].evidence["covered_by"] == SPEC.legacy_of and features[SPEC.legacy_of].driver
    assert all(features[name].evidence["group"] == "prefix:events" for name in SPEC.bundle)


@pytest.mark.slow
def test_the_correlated_group_has_one_driver_and_the_rest_are_correlated(sample_ablation):
    sample = sample_ablation
    features = by_name(sample)
    assert tuple(SPEC.correlated) in sample.clusters and (SPEC.legacy_of, SPEC.legacy) in sample.clusters
    drivers = [name for name in SPEC.correlated if features[name].driver]
    assert len(drivers) == 1
    assert all(features[n].classification == "correlated" for n in SPEC.correlated if n not in drivers)


@pytest.mark.slow
def test_strong_real_features_are_never_recommended_and_the_removal_is_verified(sample_ablation):
    sample = sample_ablation
    features = by_name(sample)
    assert not any(features[name].recommended for name in SPEC.strong_features)
    removal = sample.removal
    assert set(removal.features) == {f.name for f in sample.features if f.recommended} >= set(SPEC.truth)
    assert removal.confirmed and sample.baseline.mean - removal.verified.mean < sample.epsilon
    assert removal.verified.low <= removal.verified.mean <= removal.verified.high
    groups = sum(g.drop is not None for g in sample.groups)  # prefix:worst and prefix:events
    assert sample.fits == (1 + len(SPEC.real_features) + 9 + groups) * DEFAULT_ABLATION_SETTINGS.folds + 5
    assert sample.rank_agreement is not None and -1 <= sample.rank_agreement <= 1


@pytest.mark.slow
def test_costs_come_from_the_lineage_and_nulls(sample_ablation):
    sample = sample_ablation
    features = by_name(sample)
    events = features[SPEC.bundle[0]]
    assert events.cost.sources == ("file:data/interim/events.parquet",) and events.cost.unstable_sources == 2
    assert events.cost_points == 6 + 1 + 2 * DEFAULT_ABLATION_SETTINGS.cost_per_unstable_source
    assert features[SPEC.epsilon].null_rate == pytest.approx(SPEC.epsilon_null_share, abs=0.05)
    assert features[SPEC.legacy].cost_points > features[SPEC.legacy_of].cost_points == 0


@pytest.mark.slow
def test_ranks_follow_the_benefit(sample_ablation):
    sample = sample_ablation
    ranked = sorted(sample.features, key=lambda f: f.rank)
    assert [f.rank for f in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.benefit >= b.benefit for a, b in pairwise(ranked))


def synthetic_csv(tmp_path, rows=160, seed=4) -> str:
    """y = 3·strong + 0.5·weak + noise; copy ≈ strong; n_a, n_b noise sharing a prefix."""
    generator = np.random.default_rng(seed)
    strong, weak = generator.normal(size=(2, rows))
    y = 3 * strong + 0.5 * weak + generator.normal(scale=0.5, size=rows)
    columns = {"strong": strong, "copy": strong + generator.normal(scale=0.01, size=rows), "weak": weak,
               "n_a": generator.normal(size=rows), "n_b": generator.normal(size=rows), "y": y}
    path = tmp_path / "synthetic.csv"
    lines = [",".join(columns)] + [",".join(f"{v[i]:.5f}" for v in columns.values()) for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_regression_with_a_linear_model_in_drop_mode(tmp_path):
    settings = AblationSettings(folds=4, workers=1)
    with Store(MEMORY) as store:
        table = load_table(store, synthetic_csv(tmp_path), "y", settings=settings)
    result = ablate(table, AblationConfig("drop", "linear"), settings=settings,
                          groups=[Group("mine", "file", ("weak", "n_a"))])
    features = by_name(result)
    assert result.metric == "r2" and table.task == "regression"
    assert all(f.permutation is None and f.drop is not None for f in result.features)
    assert features["weak"].classification is None and features["weak"].benefit > 0.01
    assert {features["strong"].driver, features["copy"].driver} == {True, False}
    assert {features["n_a"].classification, features["n_b"].classification} == {"bundled"}
    assert [g.group.name for g in result.groups] == ["mine", "prefix:n", "cluster:1"]
    assert result.groups[-1].drop is None and result.groups[-1].permutation is None  # clusters: not refitted


def test_permutation_mode_fits_only_the_folds_and_the_removal(tmp_path):
    settings = AblationSettings(folds=4, workers=1)
    with Store(MEMORY) as store:
        table = load_table(store, synthetic_csv(tmp_path), "y", settings=settings)
    result = ablate(table, AblationConfig("permutation", metric="rmse"), settings=settings)
    assert result.fits == 8 and all(f.drop is None and f.permutation is not None for f in result.features)
    assert by_name(result)["strong"].rank <= 2 and result.rank_agreement is None
    assert by_name(result)["n_a"].reason.startswith("shuffling")


def test_options_that_do_not_fit_the_table_are_refused(tmp_path):
    with Store(MEMORY) as store:
        table = load_table(store, synthetic_csv(tmp_path), "y")
    with pytest.raises(TableError, match="metric 'roc_auc' does not score regression .the target 'y'.; use r2 or rmse"):
        ablate(table, AblationConfig(metric="roc_auc"))
    with pytest.raises(TableError, match="method 'fast': expected one of both, drop, permutation"):
        ablate(table, AblationConfig(method="fast"))
