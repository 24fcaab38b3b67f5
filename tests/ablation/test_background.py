"""A run in a background thread: progress is visible while it works, a cancel stops it between fits and stores
nothing, a user error becomes one sentence, anything else is raised where the page waits."""

import threading
from dataclasses import replace

import pytest

from mldebt_core.ablation import persist
from mldebt_core.ablation.background import BackgroundRun
from mldebt_core.ablation.run import AblationConfig
from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.settings import AblationSettings
from mldebt_core.store import Store
from mldebt_core.store.db import MEMORY
from mldebt_core.usecases.ablation import AblationRequest, run_ablation

SAMPLE = AblationRequest(SAMPLE_TABLE.read_bytes(), SAMPLE_TABLE.name, SAMPLE_TABLE_SPEC.target,
                         config=AblationConfig("drop"))


def upload_work(store, request, settings=AblationSettings()):
    """What the Feature Ablation page runs in the background: the use case on the uploaded bytes."""
    return lambda progress, cancel: run_ablation(store, "churn", request, settings, progress, cancel).run_id


@pytest.mark.slow
def test_an_upload_is_ablated_and_stored_in_the_background():
    with Store(MEMORY) as store:
        fast = replace(SAMPLE, config=AblationConfig("permutation"),
                       groups=(b'{"events": ["events_clicks_7d", "events_sessions_7d"]}', "groups.json"))
        status = BackgroundRun(upload_work(store, fast, AblationSettings(folds=3, workers=1))).wait(120)
        assert not status.running and status.error is None and status.done == status.total == 6
        assert persist.list_runs(store, "churn")["run_id"].tolist() == [status.result]
        assert "events" in set(persist.run_groups(store, status.result)["name"])


@pytest.mark.slow
def test_a_cancelled_run_stops_between_fits_and_stores_nothing():
    with Store(MEMORY) as store:
        started = threading.Event()

        def work(progress, cancel):
            def on_progress(done, total):
                progress(done, total)
                started.set()
            return upload_work(store, SAMPLE, AblationSettings(folds=3))(on_progress, cancel)

        job = BackgroundRun(work)
        assert started.wait(120)
        job.cancel()
        status = job.wait(120)
        assert status.cancelled and status.result is None and status.done < status.total
        assert status.error.startswith("ablation cancelled after")
        assert persist.list_runs(store, "churn").empty


def test_a_bad_upload_becomes_one_sentence_and_a_bug_is_raised_where_the_page_waits():
    with Store(MEMORY) as store:
        bad = AblationRequest(b"a,b\n1,2\n", "bad.csv", "label")
        status = BackgroundRun(upload_work(store, bad)).wait(60)
        assert status.error == "bad.csv: no column 'label' to predict; its columns are 'a', 'b'"
        assert not status.cancelled

    def broken(progress, cancel):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        BackgroundRun(broken).wait(10)
