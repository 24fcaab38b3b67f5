"""Name the weak features (legacy, bundled, epsilon, correlated) and choose the removal set.

Pure functions over the measured contributions; every verdict carries the numbers behind it.
The rules (docs/ablation.md, "Classes"):
- weak: removing the feature alone lowers the score by less than ε; with both measures, a feature in no
  cluster must also lose less than ε when shuffled (nothing correlated covers it, so a model that relies
  on it says more than a noisy retrain);
- each correlation cluster has a driver, the member whose removal costs most; members not significantly
  below it tie, and the cheaper (by cost), then the one more associated with the target, then the one
  the model relies on more (permutation) wins. It stays, carrying the cluster's information; likewise a
  group whose joint removal costs ε or more keeps its strongest member;
- a weak feature that does not stay is, in this order of precedence: legacy (a feature that stays has
  |ρ| ≥ legacy_min_rho with it), correlated (in a cluster, not its driver), bundled (in a group whose
  joint removal costs less than ε), else epsilon. Those four are the recommended removal set.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import t as student_t

from mldebt_core.ablation.groups import Group

CLASSES = ("legacy", "correlated", "bundled", "epsilon")


@dataclass(frozen=True)
class Estimate:
    """A loss (or score) across folds: its mean and Student-t interval."""

    mean: float
    low: float
    high: float
    folds: tuple[float, ...]


def estimate(values, confidence: float) -> Estimate:
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if len(values) < 2:
        return Estimate(mean, mean, mean, tuple(values.tolist()))
    half = float(student_t.ppf((1 + confidence) / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return Estimate(mean, mean - half, mean + half, tuple(values.tolist()))


@dataclass(frozen=True)
class Evidence:
    """What the classification rests on, per feature."""

    names: tuple[str, ...]
    contribution: tuple[Estimate, ...]
    """the loss that ranks and classifies: drop-column, or permutation in the fast mode (see `shuffled`)"""
    shuffled: bool
    """True when `contribution` is permutation importance"""
    permutation: tuple[Estimate, ...] | None
    """permutation losses beside drop-column ones (method 'both'): the model's reliance on each feature"""
    clusters: list[tuple[int, ...]]
    groups: list[tuple[Group, Estimate]]
    """file, prefix and source groups with their joint-removal loss"""
    spearman: np.ndarray
    target_rho: tuple[float, ...]
    costs: tuple[float, ...]
    epsilon: float
    confidence: float
    legacy_min_rho: float


@dataclass(frozen=True)
class Verdict:
    classification: str | None
    """one of CLASSES, or None for a feature that stays"""
    reason: str
    evidence: dict = field(default_factory=dict)
    cluster: int | None = None
    """index into the clusters, when the feature is in one"""
    driver: bool = False


def classify(ev: Evidence) -> list[Verdict]:
    """One verdict per feature, in the order of `ev.names`."""
    size = len(ev.names)
    cluster_of = {j: c for c, members in enumerate(ev.clusters) for j in members}
    relied = [ev.permutation is not None and j not in cluster_of and ev.contribution[j].mean < ev.epsilon
              <= ev.permutation[j].mean for j in range(size)]
    weak = [c.mean < ev.epsilon and not relied[j] for j, c in enumerate(ev.contribution)]
    cluster_drivers = [_driver(ev, members) for members in ev.clusters]
    drivers = {driver: c for c, driver in enumerate(cluster_drivers)}
    keepers = {}  # strongest member of a group that matters as a whole, when its members are weak
    for group, loss in ev.groups:
        members = [ev.names.index(name) for name in group.members]
        if loss.mean >= ev.epsilon and all(weak[j] and j not in drivers for j in members):
            keepers.setdefault(max(members, key=lambda j: (ev.contribution[j].mean, -j)), (group, loss))
    stays = [not weak[j] or j in drivers or j in keepers for j in range(size)]
    if not any(stays):  # every feature is weak: a model still needs one
        strongest = max(range(size), key=lambda j: (ev.contribution[j].mean, -j))
        stays[strongest] = True
    verdicts = []
    for j in range(size):
        cluster = cluster_of.get(j)
        numbers = _numbers(ev, j)
        if j in drivers:
            mates = [ev.names[m] for m in ev.clusters[drivers[j]] if m != j]
            verdicts.append(Verdict(None, f"drives its cluster with {_list(mates)}; stays, carrying their "
                                          f"information", {**numbers, "cluster": mates}, cluster, True))
        elif j in keepers:
            group, loss = keepers[j]
            verdicts.append(Verdict(None, f"the strongest of {group.name}, whose removal costs {_num(loss.mean)} "
                                          f"[{_num(loss.low)}, {_num(loss.high)}]; stays",
                                    {**numbers, "group": group.name, "group_loss": loss.mean}, cluster))
        elif relied[j]:
            verdicts.append(Verdict(None, f"dropping it costs {_interval(ev.contribution[j])}, but the model relies "
                                          f"on it: shuffling it costs {_interval(ev.permutation[j])}",
                                    numbers, cluster))
        elif stays[j]:
            verdicts.append(Verdict(None, f"{_verb(ev)} it costs {_interval(ev.contribution[j])}", numbers, cluster))
        else:
            driver = None if cluster is None else cluster_drivers[cluster]
            verdicts.append(_weak_verdict(ev, j, stays, cluster, driver, numbers))
    return verdicts


def _weak_verdict(ev: Evidence, j: int, stays: list[bool], cluster: int | None, driver: int | None,
                  numbers: dict) -> Verdict:
    cost = f"{_verb(ev)} it costs {_interval(ev.contribution[j])}"
    others = [k for k in range(len(ev.names)) if k != j and stays[k]]
    if others:
        partner = max(others, key=lambda k: (abs(ev.spearman[j, k]), -k))
        rho = float(ev.spearman[j, partner])
        if abs(rho) >= ev.legacy_min_rho:
            return Verdict("legacy", f"{cost} while {ev.names[partner]!r} (ρ {rho:.2f}) stays",
                           {**numbers, "covered_by": ev.names[partner], "rho": rho}, cluster)
    if cluster is not None and driver is not None:
        members = ev.clusters[cluster]
        rho = float(ev.spearman[j, driver])
        return Verdict("correlated", f"{cost}; its cluster is driven by {ev.names[driver]!r} "
                                     f"(ρ {rho:.2f})",
                       {**numbers, "driver": ev.names[driver], "rho": rho,
                        "cluster": [ev.names[m] for m in members]}, cluster)
    for group, loss in ev.groups:
        if ev.names[j] in group.members and loss.mean < ev.epsilon:
            return Verdict("bundled", f"{'shuffling' if ev.shuffled else 'removing'} {group.name} "
                                      f"({len(group.members)} features) at once costs "
                                      f"{_interval(loss)}, below ε {_num(ev.epsilon)}",
                           {**numbers, "group": group.name, "members": list(group.members),
                            "group_loss": loss.mean, "group_low": loss.low, "group_high": loss.high}, cluster)
    return Verdict("epsilon", f"{cost}, below ε {_num(ev.epsilon)}", numbers, cluster)


def _driver(ev: Evidence, members: tuple[int, ...]) -> int:
    """The member whose own removal costs most, or of those tied with it (their difference across folds not
    significant) the cheapest, then the one most associated with the target, then the one relied on most.

    Near copies always tie: the data cannot tell the original from the copy, their cost and their
    association with the target (a copy adds noise) can."""
    leader = max(members, key=lambda m: (ev.contribution[m].mean, -m))
    lead = np.asarray(ev.contribution[leader].folds)
    tied = [m for m in members if estimate(lead - np.asarray(ev.contribution[m].folds), ev.confidence).low <= 0]

    def preference(m: int) -> tuple:
        relied = ev.permutation[m].mean if ev.permutation is not None else 0.0
        return -ev.costs[m], abs(ev.target_rho[m]), relied, -m

    return max(tied, key=preference)


def removal_loss(ev: Evidence, verdicts: list[Verdict]) -> float:
    """The loss predicted for removing every recommended feature: a bundle removed whole counts its measured
    joint loss, every other feature its own."""
    removed = {ev.names[j] for j, v in enumerate(verdicts) if v.classification is not None}
    counted: set[str] = set()
    loss = 0.0
    for group, group_loss in sorted(ev.groups, key=lambda g: -len(g[0].members)):
        members = set(group.members)
        if members <= removed and not members & counted:
            loss += group_loss.mean
            counted |= members
    return loss + sum(ev.contribution[j].mean for j, name in enumerate(ev.names)
                      if name in removed and name not in counted)


def _numbers(ev: Evidence, j: int) -> dict:
    c = ev.contribution[j]
    numbers = {"loss": c.mean, "low": c.low, "high": c.high, "epsilon": ev.epsilon}
    if ev.permutation is not None:
        numbers["permutation_loss"] = ev.permutation[j].mean
    return numbers


def _verb(ev: Evidence) -> str:
    return "shuffling" if ev.shuffled else "dropping"


def _interval(e: Estimate) -> str:
    return f"{_num(e.mean)} [{_num(e.low)}, {_num(e.high)}]"


def _num(value: float) -> str:
    return f"{value:+.3g}"


def _list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)
