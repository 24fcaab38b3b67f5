"""AppTest of pages/overview.py, run alone with the selection seeded in session state."""

import re

from streamlit.testing.v1 import AppTest

from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from tests.pages.helpers import run_page
from tests.store_helpers import SAMPLE, answered_scan, as_bytes, modified_scan

MIN_CONFIDENCE = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence
CONFIDENT = [f for f in SAMPLE["findings"] if f["confidence"] >= MIN_CONFIDENCE]


def run(scan_id: int | None = None) -> AppTest:
    return run_page("overview.py", scan_id)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def cards(at: AppTest) -> list[str]:
    """The top debts' headlines ("1. Kind · severity · where"), in order."""
    return [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]


def test_overview_of_the_sample_scan(seeded):
    seeded(scans=2)
    at = run(scan_id=1)
    assert not at.exception
    assert at.title[0].value == "Overview"
    summary = SAMPLE["summary"]
    high = sum(f["severity"] in ("high", "critical") for f in CONFIDENT)
    assert metrics(at) == {"Debts": f"{len(CONFIDENT)}", "High + critical": f"{high}", "Open": f"{len(CONFIDENT)}",
                           "Files": f"{summary['files']}", "Lines": f"{summary['lines']}", "Skipped files": "0"}
    hidden = len(SAMPLE["findings"]) - len(CONFIDENT)
    assert any(f"{hidden} findings under {MIN_CONFIDENCE}% confidence hidden" in c.value for c in at.caption)
    assert {h.value for h in at.subheader} >= {"Top 10 debts", "Findings by kind and severity",
                                               "Findings by paper section", "Languages", "Trend"}
    assert len(at.get("plotly_chart")) == 4  # kind x severity, sections, languages, trend
    headlines = cards(at)
    assert len(headlines) == 10 and headlines[0].startswith("**1. ") and " · high · " in headlines[0]
    assert sum("**Next step:**" in m.value for m in at.markdown) == 10


def test_the_analyses_debts_are_counted_and_ranked_with_the_scans(seeded):
    import os

    from mldebt_core.store import Store
    from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings

    seeded(scans=1)
    gaps = [AnalysisFinding("monitoring_gap", f"feature:{name}", f"psi:{name}", f"{name} drifted", {"windows": 3})
            for name in ("plan", "region")]
    with Store(os.environ["MLDEBT_DB"]) as store:
        record_findings(store, SAMPLE["repo"]["name"], "monitoring", gaps)
    at = run(scan_id=1)
    assert not at.exception
    high = sum(f["severity"] in ("high", "critical") for f in CONFIDENT)
    assert metrics(at)["Debts"] == f"{len(CONFIDENT) + 2}" and metrics(at)["High + critical"] == f"{high + 2}"
    assert sum("feature:plan" in c for c in cards(at)) == 1
    assert any("2 of the debts come from the analyses" in c.value for c in at.caption)


def test_the_toggle_counts_and_draws_every_finding(seeded):
    seeded(scans=2)
    at = run(scan_id=1)
    at.toggle(key="overview_unconfident").set_value(True).run()
    assert not at.exception
    assert metrics(at)["Debts"] == "29" and metrics(at)["High + critical"] == "3"
    assert not any("hidden" in c.value for c in at.caption)


def test_suppressed_findings_warnings_and_assets_are_counted_in_a_note(seeded):
    import os

    import streamlit as st

    from mldebt_core.store import Store, ingest_scan

    seeded(scans=1)
    with Store(os.environ["MLDEBT_DB"]) as store:
        ingest_scan(store, as_bytes(answered_scan()), "answered.json")
    st.cache_resource.clear()
    st.cache_data.clear()
    at = run(scan_id=2)
    assert not at.exception
    assert any("2 findings suppressed by the repository" in c.value and "2 scan warnings" in c.value
               and "1 file not analysed" in c.value for c in at.caption)


def test_the_second_scan_and_the_trend_note_with_one_scan(seeded):
    seeded(scans=1)
    at = run()  # no selection: falls back to the latest scan
    assert not at.exception
    assert "Only one scan" in at.info[0].value
    assert len(at.get("plotly_chart")) == 3


def test_the_modified_scan_counts(seeded):
    seeded(scans=2)
    at = run(scan_id=2)
    assert not at.exception
    confident = sum(f["confidence"] >= MIN_CONFIDENCE for f in modified_scan()["findings"])
    assert metrics(at)["Debts"] == f"{confident}"  # three fixed, one new; the less confident hidden


def test_an_empty_database_shows_the_hint(seeded):
    seeded(scans=0)
    at = run()
    assert not at.exception
    assert "No system yet" in at.info[0].value
    assert not at.get("plotly_chart")


def test_a_system_with_only_a_prediction_log_gets_a_hint_not_an_error(seeded):
    import os

    from mldebt_core.logs.table import create_log_table
    from mldebt_core.store import Store

    seeded(scans=1)
    with Store(os.environ["MLDEBT_DB"]) as store, store.transaction() as cursor:
        create_log_table(cursor, "logs-only", [("age", "numeric")])
    at = AppTest.from_file(run_page.__globals__["page"]("overview.py"), default_timeout=30)
    at.session_state["system"] = "logs-only"
    at.run()
    assert not at.exception
    assert "has no scan yet" in at.info[0].value and at.code[0].value.startswith("mldebt scan PATH")
