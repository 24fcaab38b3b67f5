"""The cross-validation engine: the same folds for every variant, permutation importance like scikit-learn's,
progress after every fit, and a cancel check between fits."""

import numpy as np
import pytest
from sklearn.inspection import permutation_importance

from mldebt_core.ablation.engine import Job, ModelSpec, make_folds, run_jobs
from mldebt_core.ablation.errors import AblationCancelled
from mldebt_core.ablation.models import make_model
from mldebt_core.settings import AblationSettings

SETTINGS = AblationSettings(folds=3, workers=1, permutation_repeats=20)


def data(rows=150, seed=0):
    generator = np.random.default_rng(seed)
    signal = generator.normal(size=rows)
    X = np.column_stack([signal + generator.normal(scale=0.5, size=rows), generator.normal(size=rows)])
    return X, (signal > 0).astype(np.int64)


def test_folds_are_stratified_and_the_same_on_every_call():
    _, y = data()
    folds = make_folds(y, "classification", SETTINGS)
    assert len(folds) == 3
    assert all(abs(y[test].mean() - y.mean()) < 0.05 for _, test in folds)
    again = make_folds(y, "classification", SETTINGS)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again))


@pytest.mark.slow
def test_permutation_importance_agrees_with_scikit_learn_on_the_same_fold():
    X, y = data()
    spec = ModelSpec("linear", "classification", "roc_auc", SETTINGS)
    folds = make_folds(y, "classification", SETTINGS)
    outcome = run_jobs(spec, X, y, folds, [Job(0, 0, (0, 1), ((0,), (1,), (0, 1)))])[0]
    train, test = folds[0]
    model = make_model("linear", "classification", 0, SETTINGS).fit(X[train], y[train])
    reference = permutation_importance(model, X[test], y[test], scoring="roc_auc", n_repeats=200, random_state=0)
    mine = outcome.score - outcome.permuted.mean(axis=1)
    assert mine[0] == pytest.approx(reference.importances_mean[0], rel=0.15)
    assert abs(mine[1]) < 0.02 and abs(reference.importances_mean[1]) < 0.02
    assert mine[2] == pytest.approx(mine[0], abs=0.05)  # shuffling the noise as well changes little


def test_permutation_scores_do_not_depend_on_the_batch_size():
    X, y = data()
    folds = make_folds(y, "classification", SETTINGS)
    job = Job(0, 1, (0, 1), ((0,), (1,)))
    whole = run_jobs(ModelSpec("hgb", "classification", "log_loss", SETTINGS), X, y, folds, [job])[0]
    tiny = AblationSettings(folds=3, workers=1, permutation_repeats=20, predict_batch_cells=1)
    batched = run_jobs(ModelSpec("hgb", "classification", "log_loss", tiny), X, y, folds, [job])[0]
    assert np.array_equal(whole.permuted, batched.permuted) and whole.score == batched.score


def test_progress_is_reported_after_every_fit_across_phases():
    X, y = data()
    folds = make_folds(y, "classification", SETTINGS)
    seen = []
    jobs = [Job(v, f, kept) for v, kept in enumerate([(0, 1), (1,)]) for f in range(3)]
    outcomes = run_jobs(ModelSpec("hgb", "classification", "roc_auc", SETTINGS), X, y, folds, jobs,
                        lambda done, total: seen.append((done, total)), done=3, total=12)
    assert seen == [(d, 12) for d in range(4, 10)]
    assert sorted((o.variant, o.fold) for o in outcomes) == [(v, f) for v in range(2) for f in range(3)]


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_cancel_between_fits_stops_the_run(workers):
    X, y = data()
    settings = AblationSettings(folds=3, workers=workers)
    folds = make_folds(y, "classification", settings)
    done = []
    jobs = [Job(v, f, (0, 1)) for v in range(10) for f in range(3)]
    with pytest.raises(AblationCancelled) as cancelled:
        run_jobs(ModelSpec("hgb", "classification", "roc_auc", settings), X, y, folds, jobs,
                 lambda d, total: done.append(d), lambda: len(done) >= 2)
    assert 2 <= cancelled.value.done < 30 and cancelled.value.total == 30
    assert "cancelled after" in str(cancelled.value)
    with pytest.raises(AblationCancelled, match="after 0 of 30"):
        run_jobs(ModelSpec("hgb", "classification", "roc_auc", settings), X, y, folds, jobs, None, lambda: True)
