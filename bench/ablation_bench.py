"""Feature ablation against plain scikit-learn on breast-cancer, baselines measured in the same run.

    python bench/ablation_bench.py [--repeat N]

(a) permutation baseline: fit HistGradientBoostingClassifier once, then
    sklearn.inspection.permutation_importance(n_repeats=10, n_jobs=2, scoring="roc_auc")
(b) mldebt permutation mode: 5-fold cross-validated permutation importance with intervals
(c) drop-column baseline: cross_val_score (5 stratified shuffled folds, n_jobs=2) once on all features, then
    once per dropped feature
(d) mldebt drop mode: the same drop-column losses with intervals, plus prefix groups, clusters, classes and
    the verified removal retrain

Prints medians of N interleaved runs, the ratios (b)/(a) (target <= 1.2) and (d)/(c) (target <= 1.0), and the
Spearman rank agreement between the rankings (the same method in mldebt and scikit-learn, and drop against
permutation). See bench/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.model_selection import StratifiedKFold, cross_val_score

from mldebt_core.ablation.run import AblationConfig, ablate
from mldebt_core.ablation.table import load_table
from mldebt_core.settings import AblationSettings
from mldebt_core.store import Store
from mldebt_core.store.db import MEMORY

JOBS = 2
SETTINGS = AblationSettings(workers=JOBS)  # folds 5, repeats 10, seed 0: the baselines below use the same


def sklearn_permutation(X, y) -> np.ndarray:
    model = HistGradientBoostingClassifier(random_state=SETTINGS.seed).fit(X, y)
    found = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=SETTINGS.permutation_repeats,
                                   n_jobs=JOBS, random_state=SETTINGS.seed)
    return found.importances_mean


def sklearn_drop(X, y) -> np.ndarray:
    folds = StratifiedKFold(SETTINGS.folds, shuffle=True, random_state=SETTINGS.seed)

    def score(data):
        return cross_val_score(HistGradientBoostingClassifier(random_state=SETTINGS.seed), data, y, cv=folds,
                               scoring="roc_auc", n_jobs=JOBS).mean()

    base = score(X)
    return np.array([base - score(np.delete(X, j, axis=1)) for j in range(X.shape[1])])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="interleaved runs of each (default 3)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat needs at least 1")
    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f} on {os.cpu_count()} cores"
          + ("  (busy: rerun on an idle machine before trusting a FAIL)" if load > 0.7 else ""))
    data = load_breast_cancer(as_frame=True)
    frame = data.data.assign(malignant=(data.target == 0).astype(int))
    with tempfile.TemporaryDirectory() as folder, Store(MEMORY) as store:
        path = Path(folder) / "breast_cancer.csv"
        frame.to_csv(path, index=False)
        started = time.perf_counter()
        table = load_table(store, path, "malignant", settings=SETTINGS)
        print(f"table: {len(table.y)} rows × {len(table.features)} features, loaded and profiled in "
              f"{time.perf_counter() - started:.2f} s")
    X, y = table.X, table.y
    runs = {
        "a": lambda: sklearn_permutation(X, y),
        "b": lambda: ablate(table, AblationConfig("permutation"), settings=SETTINGS),
        "c": lambda: sklearn_drop(X, y),
        "d": lambda: ablate(table, AblationConfig("drop"), settings=SETTINGS),
    }
    ablate(table, AblationConfig("permutation"), settings=SETTINGS)  # untimed: starts the worker pool
    times: dict[str, list[float]] = {key: [] for key in runs}
    outputs = {}
    for _ in range(args.repeat):
        for key, run in runs.items():
            started = time.perf_counter()
            outputs[key] = run()
            times[key].append(time.perf_counter() - started)
    names = {"a": "sklearn permutation_importance", "b": "mldebt permutation mode",
             "c": "sklearn cross_val_score loop", "d": "mldebt drop mode"}
    for key, name in names.items():
        print(f"({key}) {name:32s} median {statistics.median(times[key]):6.2f} s  runs "
              + " ".join(f"{t:.2f}" for t in times[key]))
    perm_ratio = statistics.median(times["b"]) / statistics.median(times["a"])
    drop_ratio = statistics.median(times["d"]) / statistics.median(times["c"])
    print(f"(b)/(a) = {perm_ratio:.2f}  target <= 1.2  {'PASS' if perm_ratio <= 1.2 else 'FAIL'}")
    print(f"(d)/(c) = {drop_ratio:.2f}  target <= 1.0  {'PASS' if drop_ratio <= 1.0 else 'FAIL'}  "
          f"(mldebt also fitted {outputs['d'].fits - (len(table.features) + 1) * SETTINGS.folds} more models: "
          f"{len(outputs['d'].groups)} groups and clusters, the removal retrain)")
    mine_perm = [f.permutation.mean for f in outputs["b"].features]
    mine_drop = [f.drop.mean for f in outputs["d"].features]
    print(f"Spearman rank agreement: mldebt vs sklearn permutation {spearmanr(mine_perm, outputs['a']).statistic:.2f}, "
          f"mldebt vs sklearn drop-column {spearmanr(mine_drop, outputs['c']).statistic:.2f}, "
          f"drop-column vs permutation (mldebt) {spearmanr(mine_drop, mine_perm).statistic:.2f}")
    removal = outputs["d"].removal
    print(f"drop mode: {len(removal.features)} features recommended for removal, ROC AUC "
          f"{outputs['d'].baseline.mean:.4f} -> {removal.verified.mean:.4f} in the retrain without them "
          f"({'confirmed' if removal.confirmed else 'not confirmed'})" if removal.verified else
          "drop mode: nothing recommended for removal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
