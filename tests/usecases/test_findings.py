"""The one rule for findings: an analysis run with the system's defaults records them, whichever entry point
started it; other options only show; viewing never writes; a change of what the log analyses read re-runs them."""

import pyarrow.parquet as pq
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.feedback.report import FeedbackOptions, feedback_report
from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.monitoring.view import MonitoringOptions, monitoring_view
from mldebt_core.store import Store, ingest_scan
from mldebt_core.store.analysis_findings import analysis_findings, record_findings
from mldebt_core.usecases.findings import refresh_log_findings
from mldebt_core.usecases.logs import store_log
from mldebt_core.usecases.monitoring import run_monitoring
from tests.conftest import run
from tests.pages.helpers import page
from tests.store_helpers import SAMPLE_BYTES
from tests.usecases.conftest import SYSTEM

COMPARED = ["source", "finding_id", "kind", "severity", "location", "message"]


def recorded(store: Store):
    return analysis_findings(store, SYSTEM).sort_values(["source", "finding_id"])[COMPARED].reset_index(drop=True)


@pytest.mark.slow
def test_the_same_log_leaves_the_same_findings_from_the_shell_and_the_browser(tmp_path, small_log, monkeypatch,
                                                                                capsys):
    shell, browser = tmp_path / "shell.duckdb", tmp_path / "browser.duckdb"
    for db in (shell, browser):
        with Store(db) as store:
            ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    code, _, err = run(["--db", str(shell), "ingest-log", str(small_log), "--system", SYSTEM], capsys)
    assert code == 0 and "recorded the findings of churn-system: monitoring: " in err

    monkeypatch.setenv("MLDEBT_DB", str(browser))
    st.cache_resource.clear()  # the page's store is cached per process: open it on this file
    st.cache_data.clear()
    at = AppTest.from_file(page("monitoring.py"), default_timeout=120).run()
    at.file_uploader(key="log_upload").set_value(
        ("predictions.parquet", small_log.read_bytes(), "application/octet-stream")).run()
    at.button(key="log_store").click().run()
    assert not at.exception and not at.error

    with Store(shell) as one, Store(browser) as other:
        from_shell, from_browser = recorded(one), recorded(other)
    assert set(from_shell["source"]) == {"monitoring", "feedback"}
    assert from_shell.equals(from_browser)


def test_viewing_never_writes_and_other_options_record_nothing(store, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    store_log(store, SYSTEM, [small_log])
    before, counts = recorded(store), store.table_counts()
    monitoring_view(store, SYSTEM)
    feedback_report(store, SYSTEM, FeedbackOptions())
    weekly = run_monitoring(store, SYSTEM, MonitoringOptions(window="week"))
    assert weekly.recorded is None and weekly.view.findings  # it flags, but the defaults' findings stay
    assert store.table_counts() == counts
    assert recorded(store).equals(before)


def test_a_default_run_replaces_only_its_own_findings(store, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    store_log(store, SYSTEM, [small_log])
    feedback = analysis_findings(store, SYSTEM, "feedback")
    record_findings(store, SYSTEM, "monitoring", [])  # as if recorded before the limit and sources existed
    again = run_monitoring(store, SYSTEM)
    assert again.recorded.findings == len(again.view.findings) == len(analysis_findings(store, SYSTEM, "monitoring"))
    assert analysis_findings(store, SYSTEM, "feedback")["finding_id"].equals(feedback["finding_id"])


@pytest.mark.slow
def test_an_analysis_that_cannot_run_on_the_new_log_keeps_no_old_findings(store, tmp_path, small_log):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    store_log(store, SYSTEM, [small_log])
    assert not analysis_findings(store, SYSTEM, "feedback").empty
    table = pq.read_table(small_log)
    pq.write_table(table.drop(["segment"]), tmp_path / "unsegmented.parquet")  # no holdout to compare with
    with Store(tmp_path / "other.duckdb") as other:
        ingest_scan(other, SAMPLE_BYTES, "demo_scan.json")
        ingest_logs(other, SYSTEM, [tmp_path / "unsegmented.parquet"])
        record_findings(other, SYSTEM, "feedback", [])
        outcomes = {r.source: r for r in refresh_log_findings(other, SYSTEM)}
        assert outcomes["feedback"].findings == 0 and "has no segment column" in outcomes["feedback"].skipped
        assert outcomes["monitoring"].skipped is None and outcomes["monitoring"].findings > 0
        assert analysis_findings(other, SYSTEM, "feedback").empty


def test_a_system_without_a_log_has_nothing_to_refresh(store):
    ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    assert refresh_log_findings(store, SYSTEM) == []
