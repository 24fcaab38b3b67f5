"""AppTest of pages/findings.py, run alone with the selection seeded in session state."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.taxonomy import KINDS
from tests.pages.helpers import run_page
from tests.store_helpers import SAMPLE

FINDINGS = SAMPLE["findings"]


def run(scan_id: int | None = None) -> AppTest:
    return run_page("findings.py", scan_id)


def table(at: AppTest):
    return at.dataframe[0].value  # AppTest exposes no key on dataframes: the filtered table comes first


def test_the_sample_scan_lists_every_finding_and_explains_each_kind(seeded):
    seeded(scans=2)
    at = run(scan_id=1)
    assert not at.exception
    assert at.title[0].value == "Findings"
    assert len(table(at)) == len(FINDINGS) == 29
    kinds = {f["kind"] for f in FINDINGS}
    assert {e.label for e in at.expander} == {f"{KINDS[k].title} (§{KINDS[k].paper_section})" for k in kinds}
    assert at.get("download_button")
    assert "first scan" in at.info[0].value  # scan 1 has no previous scan


def test_filters_narrow_the_table(seeded):
    seeded(scans=1)
    at = run(scan_id=1)
    at.multiselect(key="kinds").set_value(["config_debt"]).run()
    assert len(table(at)) == sum(f["kind"] == "config_debt" for f in FINDINGS) == 4
    assert [e.label for e in at.expander] == ["Configuration debt (§6)"]
    at.multiselect(key="kinds").set_value([]).run()
    at.multiselect(key="severities").set_value(["high", "critical"]).run()
    assert len(table(at)) == sum(f["severity"] in ("high", "critical") for f in FINDINGS) == 3
    at.multiselect(key="severities").set_value([]).run()
    at.multiselect(key="sections").set_value([6, 7]).run()
    assert len(table(at)) == sum(f["paper_section"] in (6, 7) for f in FINDINGS)
    at.multiselect(key="sections").set_value([]).run()
    at.text_input(key="path").set_value("CHURN/").run()  # a substring, case-insensitive
    assert len(table(at)) == sum("churn/" in (f["file"] or "") for f in FINDINGS) > 0
    at.text_input(key="path").set_value("%").run()  # the user's % is a character, not a wildcard
    assert table(at).empty
    assert not at.exception


def test_new_and_fixed_since_the_previous_scan(seeded):
    seeded(scans=2)
    at = run(scan_id=2)
    assert not at.exception
    assert len(table(at)) == 27
    assert list(at.dataframe[1].value["finding_id"]) == ["fixed_threshold:000000000001"]
    assert set(at.dataframe[2].value["finding_id"]) == {f["id"] for f in FINDINGS[:3]}
    assert any("New since scan #1: 1" in m.value for m in at.markdown)


def test_an_empty_database_shows_the_hint(seeded):
    seeded(scans=0)
    at = run()
    assert not at.exception
    assert "No system yet" in at.info[0].value


def test_the_analyses_findings_of_the_system_are_listed_below_the_scans(seeded, monkeypatch):
    import os

    from mldebt_core.store import Store
    from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings

    seeded(scans=1)
    assert "None recorded yet" in run(scan_id=1).info[-1].value
    with Store(os.environ["MLDEBT_DB"]) as store:
        record_findings(store, SAMPLE["repo"]["name"], "feedback", [AnalysisFinding(
            "hidden_feedback_loop", "model:all", "gap:label_rate", "treatment drifted above holdout")])
    st.cache_resource.clear()
    at = run(scan_id=1)
    recorded = at.dataframe[-1].value
    assert recorded["kind"].tolist() == ["hidden_feedback_loop"] and recorded["source"].tolist() == ["feedback"]
