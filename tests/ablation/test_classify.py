"""The classification rules on hand-made measurements: each class, the driver of a cluster, what stays."""

import numpy as np
import pytest

from mldebt_core.ablation.classify import Evidence, classify, estimate, removal_loss
from mldebt_core.ablation.groups import Group

EPSILON = 0.003
SPREAD = np.array([-0.002, 0.001, 0.0, 0.001, 0.0])  # fold-to-fold noise, mean 0


def loss(mean: float, feature: int = 0):
    return estimate(mean + np.roll(SPREAD, feature), 0.95)  # each feature its own noise, as real folds give


def evidence(names, losses, rho=None, clusters=(), groups=(), permutation=None, costs=None, target_rho=None):
    size = len(names)
    matrix = np.eye(size)
    for (a, b), value in (rho or {}).items():
        matrix[names.index(a), names.index(b)] = matrix[names.index(b), names.index(a)] = value
    return Evidence(tuple(names), tuple(loss(m, j) for j, m in enumerate(losses)), False,
                    None if permutation is None else tuple(loss(m, j) for j, m in enumerate(permutation)),
                    [tuple(names.index(n) for n in c) for c in clusters],
                    [(Group(name, "prefix", members), loss(m)) for name, members, m in groups],
                    matrix, tuple(target_rho or [0.0] * size), tuple(costs or [0.0] * size), EPSILON, 0.95, 0.95)


def verdicts(ev):
    return {name: v for name, v in zip(ev.names, classify(ev))}


def test_a_weak_near_copy_of_a_feature_that_stays_is_legacy():
    ev = evidence(["radius", "radius_old", "noise"], [0.05, 0.0, 0.0], rho={("radius", "radius_old"): 0.98},
                  clusters=[("radius", "radius_old")])
    found = verdicts(ev)
    assert found["radius"].driver and found["radius"].classification is None
    assert found["radius_old"].classification == "legacy"
    assert found["radius_old"].evidence["covered_by"] == "radius" and found["radius_old"].evidence["rho"] == 0.98
    assert "while 'radius' (ρ 0.98) stays" in found["radius_old"].reason
    assert found["noise"].classification == "epsilon" and "below ε +0.003" in found["noise"].reason


def test_tied_cluster_members_keep_the_cheaper_then_the_one_closer_to_the_target():
    names = ["old", "new"]
    tie = {("old", "new"): 0.99}
    cheaper = verdicts(evidence(names, [0.0012, 0.001], rho=tie, clusters=[names], costs=[5.0, 0.0]))
    assert cheaper["new"].driver and cheaper["old"].classification == "legacy"
    closer = verdicts(evidence(names, [0.001, 0.001], rho=tie, clusters=[names], target_rho=[0.3, -0.6]))
    assert closer["new"].driver and closer["old"].classification == "legacy"
    clear = verdicts(evidence(names, [0.04, 0.0], rho=tie, clusters=[names], costs=[5.0, 0.0]))
    assert clear["old"].driver  # a significant lead beats a lower cost


def test_cluster_members_that_are_not_copies_are_correlated():
    names = ["a", "b", "c"]
    rho = {("a", "b"): 0.85, ("a", "c"): 0.8, ("b", "c"): 0.82}
    found = verdicts(evidence(names, [0.0, 0.001, 0.0], rho=rho, clusters=[names], target_rho=[0.1, 0.2, 0.5]))
    assert found["c"].driver
    assert [found[n].classification for n in ("a", "b")] == ["correlated", "correlated"]
    assert found["a"].evidence["driver"] == "c" and found["a"].evidence["cluster"] == names


def test_a_bundle_whose_joint_removal_costs_nothing_is_bundled_and_counts_once():
    names = ["signal", "vendor_a", "vendor_b", "tiny"]
    ev = evidence(names, [0.1, 0.001, 0.002, 0.001], groups=[("prefix:vendor", ("vendor_a", "vendor_b"), -0.0005)])
    found = verdicts(ev)
    assert [found[n].classification for n in names] == [None, "bundled", "bundled", "epsilon"]
    assert found["vendor_a"].evidence["group_loss"] == pytest.approx(-0.0005)
    assert removal_loss(ev, classify(ev)) == pytest.approx(-0.0005 + 0.001)


def test_a_group_that_matters_as_a_whole_keeps_its_strongest_member():
    names = ["signal", "x1", "x2"]
    found = verdicts(evidence(names, [0.1, 0.001, 0.002], groups=[("prefix:x", ("x1", "x2"), 0.05)]))
    assert found["x2"].classification is None and "the strongest of prefix:x" in found["x2"].reason
    assert found["x1"].classification == "epsilon"


def test_a_feature_the_model_relies_on_stays_even_when_its_retrain_costs_little():
    found = verdicts(evidence(["texture", "noise"], [0.001, 0.0], permutation=[0.02, 0.0]))
    assert found["texture"].classification is None and "the model relies on it" in found["texture"].reason
    assert found["noise"].classification == "epsilon"


def test_when_every_feature_is_weak_the_strongest_stays():
    found = verdicts(evidence(["a", "b"], [0.001, 0.002]))
    assert (found["a"].classification, found["b"].classification) == ("epsilon", None)


def test_estimates_are_student_t_intervals_across_folds():
    e = estimate([1.0, 2.0, 3.0], 0.95)
    assert e.mean == 2.0 and e.high - e.mean == pytest.approx(4.302653 * 1 / np.sqrt(3), rel=1e-6)
    assert estimate([0.5], 0.95) == estimate([0.5], 0.95) and estimate([0.5], 0.95).low == 0.5
