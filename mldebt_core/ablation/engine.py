"""Score model variants under k-fold cross-validation, in parallel, with progress and cancellation.

A variant is the model retrained on a subset of the features. Every (variant, fold) pair is one
job; all jobs of a phase go to one joblib pool at once, so both cores stay busy until the last
fit (a loop of `cross_val_score` calls waits for each call's slowest fold, and pays the pool's
start-up per call). Baseline jobs also compute permutation importance on their fold: every
shuffled copy of the test fold is stacked and predicted in a few large batches.
"""

import os
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import KFold, StratifiedKFold
from threadpoolctl import threadpool_limits

from mldebt_core.ablation.errors import AblationCancelled
from mldebt_core.ablation.metrics import METRICS
from mldebt_core.ablation.models import make_model, predict
from mldebt_core.settings import AblationSettings

Progress = Callable[[int, int], None]
"""called with (fits done, fits in total) after every fit"""
Cancel = Callable[[], bool]
"""checked between fits; True stops the run (e.g. `threading.Event().is_set`)"""


@dataclass(frozen=True)
class ModelSpec:
    model: str
    task: str
    metric: str
    settings: AblationSettings


@dataclass(frozen=True)
class Job:
    variant: int
    fold: int
    kept: tuple[int, ...]
    """columns of X the model is trained on"""
    permute: tuple[tuple[int, ...], ...] = ()
    """column sets (indices into `kept`) shuffled together for permutation importance"""


@dataclass(frozen=True)
class Outcome:
    variant: int
    fold: int
    score: float
    permuted: np.ndarray | None
    """(len(permute), repeats) scores of the shuffled copies, when the job permuted"""


def make_folds(y: np.ndarray, task: str, settings: AblationSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) row indices every variant is scored on: stratified for classification, shuffled."""
    splitter = (StratifiedKFold if task == "classification" else KFold)(
        n_splits=settings.folds, shuffle=True, random_state=settings.seed)
    return list(splitter.split(np.zeros(len(y)), y))


def run_jobs(spec: ModelSpec, X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
             jobs: Sequence[Job], progress: Progress | None = None, cancel: Cancel | None = None,
             done: int = 0, total: int | None = None) -> list[Outcome]:
    """Run every job on the pool; `done`/`total` place this phase within the whole run's progress."""
    total = len(jobs) if total is None else total
    if cancel is not None and cancel():
        raise AblationCancelled(done, total)
    workers = min(spec.settings.workers or os.cpu_count() or 1, len(jobs))
    # joblib hands large arrays to its worker processes as memory maps, not as copies per job
    results = Parallel(n_jobs=workers, return_as="generator_unordered")(
        delayed(_run_job)(spec, X, y, folds[job.fold], job) for job in jobs)
    # one thread per fit, as joblib gives each worker process: in-process fits would otherwise start OpenMP
    # threads on every core, which crawl when the cores are busy
    with threadpool_limits(limits=1) if workers == 1 else nullcontext():
        return _collect(results, len(jobs), done, total, progress, cancel)


def _collect(results, count: int, done: int, total: int, progress: Progress | None,
             cancel: Cancel | None) -> list[Outcome]:
    """The outcomes as they finish, reporting progress and checking for a cancel after each."""
    outcomes = []
    try:
        for outcome in results:
            outcomes.append(outcome)
            done += 1
            if progress is not None:
                progress(done, total)
            if cancel is not None and cancel() and len(outcomes) < count:
                raise AblationCancelled(done, total)
    finally:
        with warnings.catch_warnings():  # joblib warns that it drops the jobs not yet done: that is the point
            warnings.simplefilter("ignore", UserWarning)
            results.close()
    return outcomes


def _run_job(spec: ModelSpec, X: np.ndarray, y: np.ndarray, fold: tuple[np.ndarray, np.ndarray], job: Job) -> Outcome:
    train, test = fold
    columns = list(job.kept)
    model = make_model(spec.model, spec.task, spec.settings.seed, spec.settings)
    model.fit(X[np.ix_(train, columns)], y[train])
    X_test, y_test = X[np.ix_(test, columns)], y[test]
    metric = METRICS[spec.metric]
    score = float(metric.scores(y_test, predict(model, X_test, spec.task)[None])[0])
    permuted = _permutation_scores(spec, model, X_test, y_test, job) if job.permute else None
    return Outcome(job.variant, job.fold, score, permuted)


def _permutation_scores(spec: ModelSpec, model, X_test: np.ndarray, y_test: np.ndarray, job: Job) -> np.ndarray:
    """Scores of the test fold with each column set shuffled (the same row order for a set's columns), per repeat.

    The shuffles of set s come from a generator seeded with (seed, fold, s): the same whatever the batching.
    """
    settings = spec.settings
    repeats = settings.permutation_repeats
    rows, width = X_test.shape
    copies = [(s, r) for s in range(len(job.permute)) for r in range(repeats)]
    orders = {}
    for s in range(len(job.permute)):
        generator = np.random.default_rng([settings.seed, job.fold, s])
        orders[s] = generator.permuted(np.tile(np.arange(rows), (repeats, 1)), axis=1)
    per_batch = max(1, settings.predict_batch_cells // max(1, rows * width))
    metric = METRICS[spec.metric]
    scores = np.empty(len(copies))
    for start in range(0, len(copies), per_batch):
        batch = copies[start:start + per_batch]
        stacked = np.tile(X_test, (len(batch), 1)).reshape(len(batch), rows, width)
        for c, (s, r) in enumerate(batch):
            columns = list(job.permute[s])
            stacked[c][:, columns] = X_test[np.ix_(orders[s][r], columns)]
        predicted = predict(model, stacked.reshape(len(batch) * rows, width), spec.task)
        scores[start:start + len(batch)] = metric.scores(y_test, predicted.reshape(len(batch), rows, -1)
                                                         if spec.task == "classification"
                                                         else predicted.reshape(len(batch), rows))
    return scores.reshape(len(job.permute), repeats)
