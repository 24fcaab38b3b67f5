"""AppTest of pages/monitoring.py over the sample scan and a small simulation of the sample log (its planted
episodes included), run alone with the selection seeded in session state."""

import json
from dataclasses import replace
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log
from mldebt_core.monitoring import view
from mldebt_core.samples import SAMPLE_SCAN, load_sample
from mldebt_core.store import Store, ingest_scan
from mldebt_core.store.analysis_findings import analysis_findings
from pages.components import common as components
from pages.components.common import plain
from tests.pages.helpers import run_page
from tests.store_helpers import SAMPLE_BYTES

pytestmark = pytest.mark.slow

SYSTEM = "churn-system"
SMALL = replace(SAMPLE_SPEC, rows_per_day=3000)
"""the sample's episodes on half its rows: still enough rows per model and hour to judge the action limit"""


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    return simulate_log(SMALL, tmp_path_factory.mktemp("log") / "predictions.parquet")


@pytest.fixture
def monitored(monkeypatch, tmp_path, small_log):
    """`monitored(log=True)`: MLDEBT_DB points at a new database with the sample scan (and the small log,
    watched as the sample is: its action limit, the sources of its features, its findings)."""
    def seed(log: bool = True) -> None:
        db = tmp_path / "monitoring.duckdb"
        with Store(db) as store:
            if log:
                load_sample(store, SAMPLE_SCAN, small_log)
            else:
                ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
        monkeypatch.setenv("MLDEBT_DB", str(db))
        st.cache_resource.clear()
        st.cache_data.clear()
    return seed


def run() -> AppTest:
    return run_page("monitoring.py", scan_id=1)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


TABLES = {"breaches": "window_end", "producers": "delivered_per_window", "roles": "role", "sources": "unhealthy",
          "limits_list": "limit_id"}
"""a column only that table has: AppTest exposes no key on dataframes"""


def frame(at: AppTest, table: str):
    return next(d.value for d in at.dataframe if TABLES[table] in d.value.columns)


def test_the_sample_log_shows_its_planted_episodes(monitored):
    monitored()
    at = run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Monitoring"
    assert "126,000 predictions" in at.caption[0].value
    shown = metrics(at)
    drifted_days = sum(e.last_day - e.first_day + 1 for e in SAMPLE_SPEC.drift)  # one drifting column each
    breach_hours = SAMPLE_SPEC.action_breach[2] - SAMPLE_SPEC.action_breach[1] + 1
    assert shown["Drift alerts"] == str(drifted_days)
    assert shown["Limit breaches"] == str(breach_hours * len(SAMPLE_SPEC.models))  # both models serve it
    assert shown["Unhealthy producers"] == "1"
    assert int(shown["Bias flagged"]) > 0  # the feedback loop lifts the label rate from day 24
    # the breach hours of both models, with the limit's unit and meaning
    breaches = frame(at, "breaches")
    day, first, last = SAMPLE_SPEC.action_breach
    hours = breaches["window_start"]
    assert set(hours.dt.day) == {SAMPLE_SPEC.start.day + day} and set(hours.dt.hour) == set(range(first, last + 1))
    assert set(breaches["meaning"]) == {"share of positive actions per hour at most 0.35, for every model"}
    # the broken producer first, with its sparklines, its source and the models that source feeds
    health = frame(at, "producers")
    worst = health.iloc[0]
    assert (worst["feature"], worst["status"]) == (SAMPLE_SPEC.broken_producer, "alert")
    assert set(health["status"].iloc[1:]) == {"ok"}
    assert len(worst["delivered_per_window"]) == SAMPLE_SPEC.days and worst["delivered_per_window"][-1] == 0
    assert list(worst["feeds"]) == ["file:models/churn_model.joblib", "file:models/upsell_model.joblib"]
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # bias, quantile bands, drift heatmap, limits timeline
    heatmap = json.loads(charts[2].proto.spec)["data"][0]
    assert heatmap["type"] == "heatmap" and heatmap["y"][0] == "prediction"
    assert {"monthly_spend", "plan", SAMPLE_SPEC.broken_producer} <= set(heatmap["y"])
    assert any("PSI" in text and "alert" in text for row in heatmap["text"] for text in row if text)
    bias = {trace["name"]: trace for trace in json.loads(charts[0].proto.spec)["data"]}
    assert set(bias) == {"mean prediction", "label rate", "bias flagged"}
    assert len(bias["bias flagged"]["x"]) == int(shown["Bias flagged"])
    limits = json.loads(charts[3].proto.spec)
    marked = next(trace for trace in limits["data"] if trace["name"] == "breach")
    assert len(marked["x"]) == int(shown["Limit breaches"])
    assert [shape["y0"] for shape in limits["layout"]["shapes"]] == [SAMPLE_SPEC.action_limit_share]
    assert {b.proto.label for b in at.get("download_button")} == {
        "Bias per window (CSV)", "Drift per column and window (CSV)", "Breaches (CSV)", "Producer health (CSV)"}


def test_choosing_a_model_and_a_window_narrows_the_view(monitored):
    monitored()
    at = run()
    at.selectbox(key="monitoring_model").set_value("churn-v1").run()
    assert metrics(at)["Limit breaches"] == "4"
    assert set(frame(at, "breaches")["model"]) == {"churn-v1"}
    at.radio(key="monitoring_window").set_value("week").run()
    assert not at.exception
    # 42 days from Sunday 2026-03-01: 7 weeks from Monday
    assert len(frame(at, "producers").iloc[0]["null_rate_per_window"]) == 7
    at.radio(key="monitoring_reference").set_value("Date range").run()
    at.date_input(key="monitoring_range").set_value((date(2026, 3, 8), date(2026, 3, 14))).run()
    assert not at.exception
    assert any(c.value.startswith("Reference: 2026-03-08 00:00 to 2026-03-15 00:00") for c in at.caption)


def test_viewing_never_writes_and_the_defaults_are_the_findings(monitored):
    monitored()
    at = run()
    recorded = analysis_findings(components.store(), SYSTEM)
    assert set(recorded[recorded["source"] == "monitoring"]["location"]) == {
        "feature:monthly_spend", "feature:plan", "prediction", "model:churn-v1", "model:churn-v2",
        "feature:support_calls"}
    assert any("their alerts are its monitoring findings" in c.value for c in at.caption)
    before = components.store().table_counts()
    at.selectbox(key="monitoring_model").set_value("churn-v1").run()
    at.radio(key="monitoring_window").set_value("hour").run()
    assert not at.exception
    assert any("come from its defaults" in c.value for c in at.caption)
    assert components.store().table_counts() == before
    assert analysis_findings(components.store(), SYSTEM)["finding_id"].tolist() == recorded["finding_id"].tolist()


def test_a_system_without_log_says_how_to_add_one_and_takes_an_upload(monitored, tmp_path, small_log):
    monitored(log=False)
    at = run()
    assert not at.exception
    assert "no prediction log yet" in at.info[0].value and "`mldebt ingest-log FILE --system NAME`" in at.info[0].value
    assert at.expander[0].proto.expanded
    at.file_uploader(key="log_upload").set_value(
        ("predictions.parquet", small_log.read_bytes(), "application/octet-stream")).run()
    roles = frame(at, "roles")
    assert dict(zip(roles["column"], roles["role"]))["timestamp"] == "timestamp"
    at.button(key="log_store").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith(plain("predictions.parquet: stored 126,000 rows"))
    assert plain("findings monitoring: ") in at.success[0].value  # the log analyses ran with the defaults
    assert metrics(at)["Unhealthy producers"] == "1"
    recorded = analysis_findings(components.store(), SYSTEM)
    assert {"monitoring", "feedback"} == set(recorded["source"])


def test_after_an_upload_the_default_analysis_runs_once(monitored, small_log, monkeypatch):
    """The refresh after the upload records the findings from the view the page then shows: one computation."""
    monitored(log=False)
    reads = []  # every monitoring view reads the log once, whoever asks for it
    original = view.read_log
    monkeypatch.setattr(view, "read_log", lambda *args: reads.append(args[2:]) or original(*args))
    at = run()
    at.file_uploader(key="log_upload").set_value(
        ("predictions.parquet", small_log.read_bytes(), "application/octet-stream")).run()
    at.button(key="log_store").click().run()
    assert not at.exception and metrics(at)["Unhealthy producers"] == "1"
    assert reads == [("day", None)]


def test_a_bad_upload_is_refused_in_plain_words_and_nothing_is_stored(monitored):
    monitored(log=False)
    at = run()
    before = components.store().table_counts()
    at.file_uploader(key="log_upload").set_value(
        ("scores.csv", b"timestamp,prediction\n2026-03-01 10:00:00,0.2\n2026-03-01 11:00:00,high\n", "text/csv")).run()
    at.button(key="log_store").click().run()
    assert not at.exception
    assert at.error[0].value == plain("scores.csv: column 'prediction' (prediction): row 2 has 'high'; "
                                      "expected a finite number")
    assert components.store().table_counts() == before
    at.file_uploader(key="log_upload").set_value(("log.parquet.gz", b"PAR1", "application/gzip")).run()
    assert at.error[0].value.startswith(plain("log.parquet.gz: unknown log format"))


def test_limits_are_added_and_removed_on_the_page_and_judge_the_log_at_once(monitored):
    monitored()
    at = run()
    assert len(frame(at, "limits_list")) == 1
    at.selectbox(key="limit_metric").set_value("mean_prediction")
    at.radio(key="limit_per").set_value("day")
    at.number_input(key="limit_at_most").set_value(0.05)  # every day's mean prediction is above it
    next(b for b in at.button if b.label == "Add limit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith(plain("Stored limit #2: mean prediction per day at most 0.05"))
    limits = frame(at, "limits_list")
    assert limits["model"].tolist() == ["every model", "every model"]
    assert int(metrics(at)["Limit breaches"]) > SMALL.days  # every day of both models, and the hourly breach
    found = analysis_findings(components.store(), SYSTEM, "monitoring")  # the change refreshed the findings
    assert {"model:churn-v1", "model:churn-v2"} <= set(found["location"])
    assert len(found) == 10  # the sample's 8, and one per model for the new limit

    at.number_input(key="limit_at_most").set_value(None)
    next(b for b in at.button if b.label == "Add limit").click().run()  # no bound given: refused, nothing stored
    assert "give a lower bound, an upper bound or both" in at.error[0].value
    assert len(frame(at, "limits_list")) == 2

    at.selectbox(key="limit_remove_pick").set_value(2)
    at.button(key="limit_remove").click().run()
    assert at.success[0].value.startswith(plain("Removed limit #2"))
    assert len(frame(at, "limits_list")) == 1
    assert len(analysis_findings(components.store(), SYSTEM, "monitoring")) == 8
