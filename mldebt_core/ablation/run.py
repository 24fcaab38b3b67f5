"""One ablation run: measure every feature's contribution, classify the weak ones, verify the removal set.

Phase 1 scores, on the same k folds: the baseline model (which also yields permutation importance
of every feature, group and cluster of its fold), and, unless in the fast permutation mode, the model
retrained without each feature and without each group. Phase 2 retrains once without the whole
recommended removal set, so the predicted metric change is checked by a real one.
"""

import time
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from mldebt_core.ablation.choices import DEFAULT_METRIC, METHODS, MODELS
from mldebt_core.ablation.classify import Estimate, Evidence, classify, estimate, removal_loss
from mldebt_core.ablation.clusters import find_clusters
from mldebt_core.ablation.engine import Cancel, Job, ModelSpec, Progress, make_folds, run_jobs
from mldebt_core.ablation.errors import TableError
from mldebt_core.ablation.groups import Group, distinct_groups, prefix_groups, source_groups
from mldebt_core.ablation.lineage import FeatureCost
from mldebt_core.ablation.metrics import METRICS
from mldebt_core.ablation.table import FeatureTable
from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS, AblationSettings


@dataclass(frozen=True)
class AblationConfig:
    method: str = "both"
    model: str = "hgb"
    metric: str | None = None
    """None: ROC AUC for classification, R² for regression"""

    def is_default(self, task: str) -> bool:
        """The system's defaults for a table of `task`: the run whose findings are recorded."""
        default = AblationConfig()
        return (self.method, self.model, self.metric or DEFAULT_METRIC[task]) == (
            default.method, default.model, DEFAULT_METRIC[task])


@dataclass(frozen=True)
class FeatureResult:
    name: str
    rank: int
    """1 = the largest benefit"""
    drop: Estimate | None
    permutation: Estimate | None
    benefit: float
    """the loss that ranks and classifies: drop-column, or permutation in the fast mode"""
    null_rate: float
    cluster: int | None
    driver: bool
    classification: str | None
    reason: str
    evidence: dict
    cost: FeatureCost
    cost_points: float
    recommended: bool


@dataclass(frozen=True)
class GroupResult:
    group: Group
    drop: Estimate | None
    permutation: Estimate | None


@dataclass(frozen=True)
class Removal:
    features: tuple[str, ...]
    predicted_score: float
    """the baseline score moved by the losses the individual ablations measured"""
    verified: Estimate | None
    """the score of the one retrain without the whole set (None when the set is empty)"""
    confirmed: bool | None
    """the retrain lost less than ε"""


@dataclass(frozen=True, eq=False)
class AblationResult:
    table: FeatureTable
    config: AblationConfig
    metric: str
    settings: AblationSettings
    baseline: Estimate
    epsilon: float
    features: tuple[FeatureResult, ...]
    groups: tuple[GroupResult, ...]
    clusters: tuple[tuple[str, ...], ...]
    removal: Removal
    rank_agreement: float | None
    """Spearman ρ between the drop-column and permutation rankings (method 'both')"""
    fits: int
    seconds: float


def ablate(table: FeatureTable, config: AblationConfig = AblationConfig(),
                 costs: dict[str, FeatureCost] | None = None, groups: list[Group] | None = None,
                 settings: AblationSettings = DEFAULT_ABLATION_SETTINGS, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> AblationResult:
    started = time.perf_counter()
    metric = _check_config(table, config)
    names, size = table.features, len(table.features)
    cost = tuple((costs or {}).get(n, FeatureCost()) for n in names)
    points = tuple(_cost_points(c, table.null_rates[j], settings) for j, c in enumerate(cost))
    plan = _plan(table, config, cost, groups or [], settings)
    folds = make_folds(table.y, table.task, settings)
    k = len(folds)
    spec = ModelSpec(config.model, table.task, metric.name, settings)
    total = (len(plan.variants) + 1) * k  # the removal retrain included
    jobs = [Job(v, f, kept, tuple(plan.shuffled) if v == 0 else ()) for v, kept in enumerate(plan.variants)
            for f in range(k)]
    scores = np.empty((len(plan.variants), k))
    shuffled = np.empty((len(plan.shuffled), k, settings.permutation_repeats))
    for o in run_jobs(spec, table.X, table.y, folds, jobs, progress, cancel, 0, total):
        scores[o.variant, o.fold] = o.score
        if o.permuted is not None:
            shuffled[:, o.fold, :] = o.permuted
    base = scores[0]
    baseline = estimate(base, settings.confidence)

    def dropped(variant: int) -> Estimate:
        return estimate(metric.loss(base, scores[variant]), settings.confidence)

    def permuted(column_set: int) -> Estimate:
        return estimate(metric.loss(base[:, None], shuffled[column_set]).mean(axis=1), settings.confidence)

    drop, permute = plan.drop, plan.permute
    drop_losses = [dropped(1 + j) for j in range(size)] if drop else None
    perm_losses = [permuted(j) for j in range(size)] if permute else None
    group_results = [GroupResult(g, dropped(1 + size + i) if drop else None, permuted(size + i) if permute else None)
                     for i, g in enumerate(plan.groups)]
    group_results += [GroupResult(g, None, permuted(size + len(plan.groups) + i) if permute else None)
                      for i, g in enumerate(plan.cluster_groups)]
    contribution = drop_losses if drop else perm_losses
    evidence = Evidence(names, tuple(contribution), not drop, tuple(perm_losses) if drop and permute else None,
                        plan.clusters, [(r.group, r.drop if drop else r.permutation)
                                        for r in group_results[:len(plan.groups)]],
                        table.spearman, table.target_rho, points, metric.epsilon(baseline.mean, settings),
                        settings.confidence, settings.legacy_min_rho)
    verdicts = classify(evidence)
    removal = _verify(table, spec, folds, evidence, verdicts, baseline, progress, cancel, len(jobs), total)

    rank = {j: r + 1 for r, j in enumerate(sorted(range(size), key=lambda j: (-contribution[j].mean, j)))}
    features = tuple(FeatureResult(
        name=names[j], rank=rank[j], drop=drop_losses[j] if drop else None,
        permutation=perm_losses[j] if permute else None, benefit=contribution[j].mean,
        null_rate=table.null_rates[j], cluster=verdicts[j].cluster, driver=verdicts[j].driver,
        classification=verdicts[j].classification, reason=verdicts[j].reason, evidence=verdicts[j].evidence,
        cost=cost[j], cost_points=points[j], recommended=verdicts[j].classification is not None)
        for j in range(size))
    agreement = None
    if drop and permute and size > 2:
        agreement = float(spearmanr([e.mean for e in drop_losses], [e.mean for e in perm_losses]).statistic)
    return AblationResult(
        table=table, config=config, metric=metric.name, settings=settings, baseline=baseline,
        epsilon=evidence.epsilon, features=features, groups=tuple(group_results),
        clusters=tuple(tuple(names[j] for j in members) for members in plan.clusters), removal=removal,
        rank_agreement=agreement, fits=len(jobs) + (k if removal.features else 0),
        seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Plan:
    drop: bool
    permute: bool
    clusters: list[tuple[int, ...]]
    groups: list[Group]
    """file, prefix and source groups: dropped (and shuffled) whole"""
    cluster_groups: list[Group]
    """correlation clusters: shuffled whole, never refitted"""
    variants: list[tuple[int, ...]]
    """the columns each variant keeps: all, then each feature dropped, then each group dropped"""
    shuffled: list[tuple[int, ...]]
    """the column sets the baseline models shuffle: each feature, each group, each cluster"""


def _plan(table: FeatureTable, config: AblationConfig, cost: tuple[FeatureCost, ...], groups: list[Group],
          settings: AblationSettings) -> _Plan:
    names, size = table.features, len(table.features)
    clusters = find_clusters(table.spearman, settings.cluster_min_rho)
    ablated = distinct_groups([*groups, *prefix_groups(names, settings.min_group_size),
                               *source_groups({n: c.sources for n, c in zip(names, cost)}, settings.min_group_size)],
                              size)
    cluster_groups = [Group(f"cluster:{c + 1}", "cluster", tuple(names[j] for j in members))
                      for c, members in enumerate(clusters)]
    drop, permute = config.method != "permutation", config.method != "drop"
    columns = [tuple(names.index(m) for m in g.members) for g in ablated]
    everything = tuple(range(size))
    variants = [everything]
    if drop:
        variants += [tuple(c for c in everything if c not in removed) for removed in [(j,) for j in everything]
                     + columns]
    shuffled = [(j,) for j in everything] + columns + list(clusters) if permute else []
    return _Plan(drop, permute, clusters, ablated, cluster_groups, variants, shuffled)


def _verify(table: FeatureTable, spec: ModelSpec, folds, evidence: Evidence, verdicts, baseline: Estimate,
            progress: Progress | None, cancel: Cancel | None, done: int, total: int) -> Removal:
    """The removal set, its predicted score, and one retrain without it on the same folds."""
    metric = METRICS[spec.metric]
    removed = tuple(n for n, v in zip(table.features, verdicts) if v.classification is not None)
    predicted = float(baseline.mean - removal_loss(evidence, verdicts) * (1 if metric.higher_is_better else -1))
    if not removed:
        if progress is not None:
            progress(total, total)
        return Removal(removed, predicted, None, None)
    kept = tuple(j for j, name in enumerate(table.features) if name not in removed)
    after = np.empty(len(folds))
    for o in run_jobs(spec, table.X, table.y, folds, [Job(0, f, kept) for f in range(len(folds))], progress,
                      cancel, done, total):
        after[o.fold] = o.score
    verified = estimate(after, spec.settings.confidence)
    confirmed = bool(np.mean(metric.loss(np.asarray(baseline.folds), after)) < evidence.epsilon)
    return Removal(removed, predicted, verified, confirmed)


def _check_config(table: FeatureTable, config: AblationConfig):
    if config.method not in METHODS:
        raise TableError(f"method {config.method!r}: expected one of {', '.join(METHODS)}")
    if config.model not in MODELS:
        raise TableError(f"model {config.model!r}: expected one of {', '.join(MODELS)}")
    name = config.metric or DEFAULT_METRIC[table.task]
    metric = METRICS.get(name)
    fitting = [m for m in METRICS.values() if m.task == table.task]
    if metric is None or metric.task != table.task:
        raise TableError(f"metric {name!r} does not score {table.task} (the target {table.target!r}); use "
                         f"{' or '.join(m.name for m in fitting)}")
    return metric


def _cost_points(cost: FeatureCost, null_rate: float, settings: AblationSettings) -> float:
    return (cost.upstream_artifacts * settings.cost_per_artifact + cost.code_paths * settings.cost_per_code_path
            + cost.unstable_sources * settings.cost_per_unstable_source + null_rate * settings.cost_per_null_share)
