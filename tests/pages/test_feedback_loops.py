"""pages/feedback_loops.py over the sample system (its scan and its simulated log with a loop)."""

import os
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_columns
from mldebt_core.samples import SAMPLE_LOG
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import analysis_findings
from tests.pages.helpers import page
from tests.store_helpers import SAMPLE

SYSTEM = SAMPLE["repo"]["name"]


def with_log(seeded, log=SAMPLE_LOG):
    """The sample scan (tests.pages.helpers) and a log stored for its system, without the findings the log use case
    would record; returns the database path."""
    seeded(1)
    with Store(os.environ["MLDEBT_DB"]) as store:
        ingest_logs(store, SYSTEM, [log])
        return store.path


def run() -> AppTest:
    return AppTest.from_file(page("feedback_loops.py"), default_timeout=60).run()


@pytest.fixture
def sample(seeded):
    return with_log(seeded)


def test_the_sample_loop_is_found_and_drawn(sample):
    at = run()
    assert not at.exception
    assert at.title[0].value == "Feedback Loops"
    verdict = at.warning[0].value
    assert verdict.startswith("treatment label rate has drifted ") and "holdout stable" in verdict
    assert "since 2026\\-03\\-" in verdict  # the documented start is 2026-03-25; markdown-escaped text
    assert len(at.get("plotly_chart")) == 4  # metric with bands, gap, holdout share, MDE
    assert [m.label for m in at.metric] == ["Holdout share, recent windows", "Minimum detectable effect (7 windows)",
                                            "Holdout rows with a model action"]
    assert at.metric[2].value == "0"
    assert [b.label for b in at.get("download_button")] == ["Download every metric per window (CSV)"]
    cross, lineage = (d.value for d in at.dataframe)
    assert list(cross["model"]) == ["churn-v1"] and list(cross["other_model"]) == ["churn-v2"]
    assert sorted(lineage["kind"]) == ["correction_cascade", "direct_feedback_loop"]
    [drawing] = [frame.proto.srcdoc for frame in at.get("iframe")]
    assert "data/predictions/churn_scores.parquet" in drawing and "cdn.jsdelivr.net" not in drawing
    with Store(sample) as store:  # viewing writes nothing: the findings are the log ingest's
        assert analysis_findings(store, SYSTEM, "feedback").empty


@pytest.mark.slow
def test_other_metrics_models_and_windows(sample):
    at = run()
    at.selectbox(key="feedback_metric").set_value("mean_prediction").run()
    assert not at.exception
    assert at.success[0].value.startswith("no feedback loop detected: treatment mean prediction tracks holdout")
    at.selectbox(key="feedback_metric").set_value("auc").run()
    at.selectbox(key="feedback_model").set_value("churn-v2").run()
    assert not at.exception and at.warning[0].value.startswith("treatment AUC has drifted ")
    assert not at.dataframe[0].value.empty  # only the lineage table: one model has no pairs
    at.selectbox(key="feedback_metric").set_value("label_rate").run()
    at.radio(key="feedback_window").set_value("hour").run()
    assert not at.exception and at.info[0].value.startswith("too little data to judge the label rate")


@pytest.mark.parametrize("segment, message", [
    (np.full(600, "treatment", dtype=object), "has a single segment, 'treatment'"),
    (None, "has no segment column"),
])
def test_a_log_the_comparison_cannot_use_shows_the_error(seeded, tmp_path, segment, message):
    columns = simulate_columns(replace(SAMPLE_SPEC.clean(), days=3, rows_per_day=200))
    columns.update(segment=segment, label=None, timestamp=pa.array(columns["timestamp"], pa.timestamp("ms", tz="UTC")))
    pq.write_table(pa.table({k: v for k, v in columns.items() if v is not None}), tmp_path / "log.parquet")
    with_log(seeded, tmp_path / "log.parquet")
    at = run()
    assert not at.exception
    assert at.error[0].value.startswith(f"the prediction log of churn\\-system {message}")


def test_a_system_without_a_log(seeded):
    seeded(1)
    at = run()
    assert not at.exception
    assert at.info[0].value.startswith("This system has no prediction log yet")


def test_an_empty_database_shows_the_hint(seeded):
    seeded(0)
    at = run()
    assert not at.exception
    assert "No system yet" in at.info[0].value
