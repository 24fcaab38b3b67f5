"""AppTest of pages/ablation.py, run alone over a seeded database: run the sample, see the verdict, the charts and
the table; cancel a run; a bad upload is one sentence; a second run says what changed."""

import pytest
from streamlit.testing.v1 import AppTest

from mldebt_core.ablation import persist
from tests.pages.helpers import run_page

pytestmark = pytest.mark.slow

JOB = "ablation_job"


def start(at: AppTest, method: str = "permutation") -> AppTest:
    at.selectbox(key="ablation_method").set_value(method).run()
    return at.button(key="ablation_start").click().run()


def finish(at: AppTest) -> AppTest:
    """Wait for the background run the page started, then rerun as the polling fragment would."""
    at.session_state[JOB].wait(300)
    return at.run()


def test_running_the_sample_shows_the_verified_verdict_charts_and_table(seeded):
    seeded(scans=1)
    at = run_page("ablation.py", scan_id=1)
    assert not at.exception and at.title[0].value == "Feature Ablation"
    assert at.info[0].value == "No ablation run for this system yet."
    assert at.selectbox(key="ablation_target").value == "malignant"
    at = start(at)
    assert at.get("progress") and at.button(key="ablation_cancel")
    at = finish(at)
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("remove these ")
    assert len(at.get("plotly_chart")) == 3 and at.get("download_button")
    ranked = at.dataframe[0].value
    assert list(ranked.columns) == persist.FEATURE_COLUMNS and len(ranked) == 15
    assert "first run on this table and target" in at.info[0].value
    at = finish(start(at))
    assert any(m.value.startswith("**") and "changes since run #1" in m.value for m in at.markdown)
    assert at.selectbox(key="ablation_run_pick").value == 2


def test_a_run_can_be_cancelled(seeded):
    seeded(scans=1)
    at = start(run_page("ablation.py", scan_id=1), method="drop")
    at = at.button(key="ablation_cancel").click().run()
    at = finish(at)
    assert not at.exception
    assert at.info[0].value.startswith("ablation cancelled after ")
    assert "No ablation run for this system yet." in [i.value for i in at.info]


def test_an_upload_offers_its_columns_and_a_bad_one_is_one_sentence(seeded):
    seeded(scans=1)
    at = run_page("ablation.py", scan_id=1)
    at.radio(key="ablation_source").set_value("upload").run()
    at.file_uploader(key="ablation_upload").set_value(("mine.csv", b"tenure,spend,churned\n1,2,0\n", "text/csv"))
    at.run()
    assert at.selectbox(key="ablation_target").options == ["tenure", "spend", "churned"]
    assert at.selectbox(key="ablation_target").value == "churned"  # the last column unless the sample's target
    at.file_uploader(key="ablation_upload").set_value(("broken.parquet", b"PAR1 nonsense", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("broken\\.parquet: cannot read it as Parquet")


def test_an_empty_database_shows_the_hint(seeded):
    seeded(scans=0)
    at = run_page("ablation.py")
    assert not at.exception and "No system yet" in at.info[0].value
