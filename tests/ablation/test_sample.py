"""The committed sample feature table is what its generator builds, and holds the features its truth names."""

import csv

from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC, write_sample_table


def test_the_committed_sample_is_fresh(tmp_path):
    fresh = tmp_path / "feature_table.csv"
    write_sample_table(fresh)
    assert fresh.read_bytes() == SAMPLE_TABLE.read_bytes(), (
        "data/samples/feature_table.csv is stale: regenerate it (see mldebt_core/ablation/sample.py)")


def test_the_sample_holds_every_feature_of_its_truth():
    with open(SAMPLE_TABLE, newline="") as stream:
        header = next(csv.reader(stream))
        rows = sum(1 for _ in stream)
    spec = SAMPLE_TABLE_SPEC
    assert header[-1] == spec.target and rows == 569
    assert set(header) == {*spec.real_features, spec.legacy, *spec.bundle, spec.epsilon, *spec.correlated,
                           spec.target}
    assert set(spec.strong_features) <= set(spec.real_features) and spec.legacy_of in spec.real_features
