"""Ablation runs in the store: save a result with its settings, read runs back, compare a run with the last one,
and the recommended removals as `underutilized_data_dependency` findings (recorded by the use case's rule, see
usecases/ablation.py)."""

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from mldebt_core.ablation.classify import Estimate
from mldebt_core.ablation.metrics import METRICS
from mldebt_core.ablation.run import AblationResult
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding

SOURCE = "ablation"
"""the analysis_findings source of ablation findings"""
FEATURE_COLUMNS = ["rank", "feature", "classification", "recommended", "benefit", "drop_loss", "drop_low",
                   "drop_high", "permutation_loss", "permutation_low", "permutation_high", "null_rate", "cluster",
                   "driver", "sources", "upstream_artifacts", "code_paths", "unstable_sources", "cost", "reason"]


def features_frame(result: AblationResult) -> pd.DataFrame:
    """One row per feature, best first: the table the CLI prints, the page draws and the store keeps."""
    rows = [{"rank": f.rank, "feature": f.name, "classification": f.classification, "recommended": f.recommended,
             "benefit": f.benefit, **_estimate("drop", f.drop), **_estimate("permutation", f.permutation),
             "null_rate": f.null_rate, "cluster": None if f.cluster is None else f.cluster + 1, "driver": f.driver,
             "sources": list(f.cost.sources), "upstream_artifacts": f.cost.upstream_artifacts,
             "code_paths": f.cost.code_paths, "unstable_sources": f.cost.unstable_sources, "cost": f.cost_points,
             "reason": f.reason} for f in result.features]
    return pd.DataFrame(rows, columns=FEATURE_COLUMNS).sort_values("rank", ignore_index=True)


@dataclass(frozen=True)
class AblationRun:
    """A run's own numbers (a row of `ablation_runs`); scores are in the run's metric."""

    table_name: str
    table_sha256: str
    target: str
    task: str
    model: str
    metric: str
    method: str
    row_count: int
    baseline: float
    baseline_low: float
    baseline_high: float
    epsilon: float
    predicted_score: float | None
    """None when nothing is recommended for removal"""
    verified_score: float | None
    verified_low: float | None
    verified_high: float | None
    confirmed: bool | None
    rank_agreement: float | None
    fits: int
    seconds: float
    settings: dict
    """the AblationSettings used, as a dict"""
    spearman: dict
    """{"features": [...], "rho": [[...], ...]}: the features' rank correlations"""
    scan_id: int | None = None
    """the scan whose lineage gave the features' costs"""
    id: int | None = None
    """set once stored, like `system` and `created_at`"""
    system: str | None = None
    created_at: datetime | None = None


_STORED = [f.name for f in dataclasses.fields(AblationRun) if f.name not in ("id", "system", "created_at")]
"""the columns of ablation_runs a save writes"""


def run_record(result: AblationResult, scan_id: int | None = None) -> AblationRun:
    """The run's own numbers, as `load_run` returns them once stored."""
    table, removal, verified = result.table, result.removal, result.removal.verified
    return AblationRun(
        table_name=table.name, table_sha256=table.sha256, target=table.target, task=table.task,
        model=result.config.model, metric=result.metric, method=result.config.method, row_count=len(table.y),
        baseline=result.baseline.mean, baseline_low=result.baseline.low, baseline_high=result.baseline.high,
        epsilon=result.epsilon, predicted_score=removal.predicted_score if removal.features else None,
        verified_score=verified and verified.mean, verified_low=verified and verified.low,
        verified_high=verified and verified.high, confirmed=removal.confirmed, rank_agreement=result.rank_agreement,
        fits=result.fits, seconds=result.seconds, settings=dataclasses.asdict(result.settings),
        spearman={"features": list(table.features), "rho": np.round(table.spearman, 4).tolist()}, scan_id=scan_id)


def headline(run: AblationRun, removed: int) -> str:
    """One sentence: the removal set and its verified effect, e.g. 'remove these 3 features: ROC AUC 0.98 → 0.99'."""
    title = METRICS[run.metric].title
    if not removed:
        return f"no feature to remove: every feature earns its place ({title} {run.baseline:.4g})"
    verdict = "confirmed" if run.confirmed else f"not confirmed: it loses more than ε {run.epsilon:.3g}"
    return (f"remove these {removed} features: {title} {run.baseline:.4g} → {run.verified_score:.4g} "
            f"[{run.verified_low:.4g}, {run.verified_high:.4g}] in one retrain without them "
            f"(predicted {run.predicted_score:.4g}; {verdict})")


def save_run(store: Store, system: str, result: AblationResult, scan_id: int | None = None) -> int:
    """Store the run, its features and groups in one transaction; its id."""
    record = run_record(result, scan_id)
    row = {name: getattr(record, name) for name in _STORED}
    row["settings"], row["spearman"] = json.dumps(row["settings"]), json.dumps(row["spearman"])
    table = result.table
    with store.transaction() as cursor:
        run_id = cursor.execute("SELECT nextval('ablation_run_ids')").fetchone()[0]
        cursor.execute("INSERT INTO systems (name) VALUES (?) ON CONFLICT DO NOTHING", [system])
        cursor.execute(f"INSERT INTO ablation_runs (id, system, {', '.join(row)}) "
                       f"VALUES (?, ?, {', '.join('?' for _ in row)})", [run_id, system, *row.values()])
        frame = features_frame(result)
        evidence = {f.name: json.dumps(f.evidence, default=float) for f in result.features}
        cursor.executemany(
            "INSERT INTO ablation_features (run_id, position, feature, rank, drop_loss, drop_low, drop_high, "
            "permutation_loss, permutation_low, permutation_high, benefit, null_rate, cluster, driver, "
            "classification, reason, evidence, sources, upstream_artifacts, code_paths, unstable_sources, cost, "
            "recommended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[run_id, table.features.index(r.feature), r.feature, r.rank, *_floats(r, "drop"),
              *_floats(r, "permutation"), r.benefit, r.null_rate, None if pd.isna(r.cluster) else int(r.cluster),
              bool(r.driver), None if pd.isna(r.classification) else r.classification, r.reason,
              evidence[r.feature], r.sources, r.upstream_artifacts, r.code_paths, r.unstable_sources, r.cost,
              bool(r.recommended)] for r in frame.itertuples()])
        if result.groups:
            cursor.executemany(
                "INSERT INTO ablation_groups (run_id, name, origin, members, drop_loss, drop_low, drop_high, "
                "permutation_loss, permutation_low, permutation_high) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[run_id, g.group.name, g.group.origin, list(g.group.members), *_estimate("drop", g.drop).values(),
                  *_estimate("permutation", g.permutation).values()] for g in result.groups])
    return run_id


def findings(result: AblationResult, run_id: int) -> list[AnalysisFinding]:
    """One `underutilized_data_dependency` finding per feature recommended for removal."""
    table = result.table
    found = []
    for f in result.features:
        if not f.recommended:
            continue
        upstream = (f"; it comes from {f.cost.upstream_artifacts} upstream artifact(s), "
                    f"{f.cost.unstable_sources} of them unstable" if f.cost.sources else "")
        found.append(AnalysisFinding(
            kind="underutilized_data_dependency", location=f"feature:{f.name}",
            anchor=f"{table.name}:{table.target}:{f.name}",
            message=f"{f.classification} feature {f.name!r} of {table.name} (predicting {table.target!r}, "
                    f"{result.metric}): {f.reason}{upstream}",
            evidence={"run_id": run_id, "classification": f.classification, "metric": result.metric,
                      **f.evidence, "sources": list(f.cost.sources), "cost": f.cost_points}))
    return found


def list_runs(store: Store, system: str) -> pd.DataFrame:
    """The system's ablation runs, newest first, with how many features each recommends removing."""
    return store.query_df(
        "SELECT r.id AS run_id, r.created_at, r.table_name, r.target, r.task, r.model, r.metric, r.method, "
        "r.row_count, r.baseline, r.verified_score, r.confirmed, "
        "(SELECT count(*) FROM ablation_features f WHERE f.run_id = r.id) AS features, "
        "(SELECT count(*) FROM ablation_features f WHERE f.run_id = r.id AND f.recommended) AS recommended "
        "FROM ablation_runs r WHERE r.system = ? ORDER BY r.id DESC", [system])


def run_labels(runs: pd.DataFrame) -> dict[int, str]:
    """Run id -> a label naming what was ablated and how, in the order of `runs`."""
    return {int(r.run_id): f"#{r.run_id} · {r.table_name} → {r.target} · {r.method}, {r.model}, {r.metric} · "
                           f"{r.created_at:%Y-%m-%d %H:%M}" for r in runs.itertuples()}


def load_run(store: Store, run_id: int) -> AblationRun:
    """A stored run's own numbers."""
    names = [f.name for f in dataclasses.fields(AblationRun)]
    row = store.query(f"SELECT {', '.join(names)} FROM ablation_runs WHERE id = ?", [run_id])[0]
    run = dict(zip(names, row))
    return AblationRun(**{**run, "settings": json.loads(run["settings"]), "spearman": json.loads(run["spearman"])})


def run_features(store: Store, run_id: int) -> pd.DataFrame:
    """The stored per-feature rows of a run, in the columns of `features_frame`."""
    return store.query_df(
        "SELECT rank, feature, classification, recommended, benefit, drop_loss, drop_low, drop_high, "
        "permutation_loss, permutation_low, permutation_high, null_rate, cluster, driver, sources, "
        "upstream_artifacts, code_paths, unstable_sources, cost, reason FROM ablation_features WHERE run_id = ? "
        "ORDER BY rank", [run_id])


def run_groups(store: Store, run_id: int) -> pd.DataFrame:
    return store.query_df(
        "SELECT name, origin, members, drop_loss, drop_low, drop_high, permutation_loss, permutation_low, "
        "permutation_high FROM ablation_groups WHERE run_id = ? ORDER BY origin, name", [run_id])


def previous_run(store: Store, run_id: int) -> int | None:
    """The run before `run_id` of the same system, table name and target, or None."""
    return store.query_value(
        "SELECT p.id FROM ablation_runs r JOIN ablation_runs p ON p.system = r.system AND p.table_name = r.table_name "
        "AND p.target = r.target AND p.id < r.id WHERE r.id = ? ORDER BY p.id DESC LIMIT 1", [run_id])


def run_changes(store: Store, run_id: int, previous_id: int) -> pd.DataFrame:
    """What changed per feature between two runs: added, removed, a new class or recommendation, or a benefit that
    moved by ε or more (of the newer run); unchanged features are left out."""
    return store.query_df(
        "WITH now AS (SELECT * FROM ablation_features WHERE run_id = $now), "
        "before AS (SELECT * FROM ablation_features WHERE run_id = $before), "
        "eps AS (SELECT epsilon FROM ablation_runs WHERE id = $now) "
        "SELECT coalesce(now.feature, before.feature) AS feature, "
        "CASE WHEN before.feature IS NULL THEN 'added' WHEN now.feature IS NULL THEN 'removed' "
        "WHEN now.recommended AND NOT before.recommended THEN 'now recommended' "
        "WHEN before.recommended AND NOT now.recommended THEN 'no longer recommended' "
        "WHEN now.classification IS DISTINCT FROM before.classification THEN 'class changed' "
        "ELSE 'benefit moved' END AS change, "
        "before.classification AS class_before, now.classification AS class_now, "
        "before.benefit AS benefit_before, now.benefit AS benefit_now, before.rank AS rank_before, "
        "now.rank AS rank_now "
        "FROM now FULL OUTER JOIN before ON now.feature = before.feature, eps "
        "WHERE now.feature IS NULL OR before.feature IS NULL OR now.recommended <> before.recommended "
        "OR now.classification IS DISTINCT FROM before.classification "
        "OR abs(now.benefit - before.benefit) >= eps.epsilon "
        "ORDER BY change, feature", {"now": run_id, "before": previous_id})


def _estimate(prefix: str, e: Estimate | None) -> dict:
    return {f"{prefix}_loss": e and e.mean, f"{prefix}_low": e and e.low, f"{prefix}_high": e and e.high}


def _floats(row, prefix: str) -> list:
    return [None if pd.isna(v) else float(v) for v in
            (getattr(row, f"{prefix}_loss"), getattr(row, f"{prefix}_low"), getattr(row, f"{prefix}_high"))]
