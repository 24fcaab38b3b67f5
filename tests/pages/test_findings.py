"""AppTest of pages/findings.py, run alone with the selection seeded in session state."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from mldebt_core.taxonomy import KINDS
from tests.pages.helpers import run_page
from tests.store_helpers import SAMPLE, answered_scan, as_bytes, modified_scan

MIN_CONFIDENCE = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence

FINDINGS = SAMPLE["findings"]
CONFIDENT = [f for f in FINDINGS if f["confidence"] >= MIN_CONFIDENCE]  # shown until the toggle asks for all


def run(scan_id: int | None = None) -> AppTest:
    return run_page("findings.py", scan_id)


def table(at: AppTest):
    return at.dataframe[0].value  # AppTest exposes no key on dataframes: the filtered table comes first


def test_the_sample_scan_lists_its_confident_findings_and_explains_each_kind(seeded):
    seeded(scans=2)
    at = run(scan_id=1)
    assert not at.exception
    assert at.title[0].value == "Findings"
    assert len(table(at)) == len(CONFIDENT) < len(FINDINGS)  # the sample has findings under the floor
    hidden = len(FINDINGS) - len(CONFIDENT)
    assert any(f"{hidden} findings under {MIN_CONFIDENCE}% confidence hidden" in c.value for c in at.caption)
    kinds = {f["kind"] for f in CONFIDENT}
    assert {e.label for e in at.expander} == {f"{KINDS[k].title} (§{KINDS[k].paper_section})" for k in kinds}
    assert at.get("download_button")
    assert "first scan" in at.info[0].value  # scan 1 has no previous scan
    assert "project" not in table(at).columns and not at.multiselect(key="kinds").value


def test_the_toggle_shows_the_less_confident_findings_too(seeded):
    seeded(scans=1)
    at = run(scan_id=1)
    at.toggle(key="findings_unconfident").set_value(True).run()
    assert not at.exception
    assert len(table(at)) == len(FINDINGS)
    assert not any("hidden" in c.value for c in at.caption)
    assert table(at)["confidence"].min() < MIN_CONFIDENCE


def test_filters_narrow_the_table(seeded):
    seeded(scans=1)
    at = run(scan_id=1)
    at.toggle(key="findings_unconfident").set_value(True).run()
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
    assert len(table(at)) == sum(f["confidence"] >= MIN_CONFIDENCE for f in modified_scan()["findings"])
    assert list(at.dataframe[1].value["finding_id"]) == ["fixed_threshold:000000000001"]
    assert set(at.dataframe[2].value["finding_id"]) == {f["id"] for f in FINDINGS[:3] if f in CONFIDENT}
    assert any("New since scan #1: 1" in m.value for m in at.markdown)
    at.toggle(key="findings_unconfident").set_value(True).run()
    assert set(at.dataframe[2].value["finding_id"]) == {f["id"] for f in FINDINGS[:3]}


def test_suppressed_findings_warnings_skipped_cells_and_projects_are_listed(seeded):
    seeded(scans=1)
    at = run(scan_id=1)
    assert "suppresses no finding" in at.info[1].value and "Nothing: no warnings" in at.info[2].value
    _store_answered_scan()
    at = run(scan_id=2)
    assert not at.exception
    suppressed = next(d.value for d in at.dataframe if "how" in d.value.columns)
    assert sorted(zip(suppressed["how"], suppressed["reason"])) == [
        ("config", "(no reason given)"), ("inline", "agreed with the risk team")]
    unread = next(d.value for d in at.dataframe if "what" in d.value.columns)
    assert unread["where"].tolist() == ["pyproject.toml", "(repository)", "notebooks/eda.ipynb cell 2:1",
                                        "notebooks/eda.ipynb cell 5:1"]
    assert "project" in table(at).columns
    at.multiselect(key="projects").set_value(["churn"]).run()
    assert table(at)["project"].tolist() == ["churn"]


def _store_answered_scan() -> None:
    import os

    from mldebt_core.store import Store, ingest_scan

    with Store(os.environ["MLDEBT_DB"]) as store:
        ingest_scan(store, as_bytes(answered_scan()), "answered.json")
    st.cache_resource.clear()
    st.cache_data.clear()


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
