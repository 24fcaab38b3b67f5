"""The page-facing shapes in mldebt_core.views, the paydown text per kind, and the headline query."""

import pandas as pd

from mldebt_core import views
from mldebt_core.store import Store, ingest_scan, queries
from mldebt_core.taxonomy import KINDS, SECTIONS
from tests.store_helpers import SAMPLE, SAMPLE_BYTES, answered_scan, as_bytes, modified_scan


def sample_store() -> Store:
    store = Store(":memory:")
    ingest_scan(store, SAMPLE_BYTES, "a.json")
    ingest_scan(store, as_bytes(modified_scan()), "b.json")
    return store


def test_every_kind_says_how_to_pay_it_down_and_every_section_has_a_title():
    assert all(len(k.paydown) > 20 for k in KINDS.values())
    assert {k.paper_section for k in KINDS.values()} == set(SECTIONS)


def test_contains_pattern_escapes_the_users_wildcards():
    assert views.contains_pattern("  ") is None
    assert views.contains_pattern(" a_b%c\\ ") == "%a\\_b\\%c\\\\%"
    store = sample_store()
    assert len(queries.findings(store, 1, file_like=views.contains_pattern("churn/"))) == sum(
        "churn/" in (f["file"] or "") for f in SAMPLE["findings"])
    assert queries.findings(store, 1, file_like=views.contains_pattern("churn_")).empty


def test_scan_summary_matches_the_documents_summary():
    summary = queries.scan_summary(sample_store(), 1)
    assert summary == {"findings": 29, "high_or_critical": 3, "hidden": 0, "suppressed": 0,
                       "files": SAMPLE["summary"]["files"], "not_analysed": 0, "lines": SAMPLE["summary"]["lines"],
                       "skipped": SAMPLE["summary"]["skipped"], "warnings": 0}
    assert views.summary_notes(summary) is None


def test_location_top_findings_and_counts():
    frame = pd.DataFrame({"finding_id": ["a", "b", "c"], "kind": ["glue_code", "prototype", "glue_code"],
                          "paper_section": [5, 5, 5], "severity": ["low", "critical", "medium"],
                          "confidence": [90, 50, 70], "file": ["x.py", "nb.ipynb", None], "line": [3, 2, None],
                          "cell": [None, 4, None], "message": ["m"] * 3})
    assert list(views.with_location(frame)["location"]) == ["x.py:3", "nb.ipynb cell 4:2", "-"]
    assert list(views.top_findings(frame, 2)["finding_id"]) == ["b", "c"]
    counts = views.kind_severity_counts(frame)
    assert list(zip(counts["kind"], counts["severity"], counts["findings"])) == [
        ("glue_code", "low", 1), ("glue_code", "medium", 1), ("prototype", "critical", 1)]
    assert views.section_counts(frame).to_dict("records") == [
        {"paper_section": 5, "section": "§5 ML-system anti-patterns", "findings": 3}]


def test_confidence_floor_hides_and_counts_the_less_confident():
    frame = pd.DataFrame({"finding_id": ["a", "b", "c"], "confidence": [90, 50, 70]})
    assert list(views.confident(frame, 70)["finding_id"]) == ["a", "c"] and views.below(frame, 70) == 1
    assert len(views.confident(frame, 0)) == 3 and views.below(frame, 0) == 0


def test_suppressed_findings_warnings_skips_and_projects_as_the_findings_page_shows_them():
    store = Store(":memory:")
    scan_id = ingest_scan(store, as_bytes(answered_scan()), "answered.json").scan_id
    suppressed = views.suppressed_table(queries.suppressed_findings(store, scan_id))
    assert list(suppressed.columns) == ["location", "kind", "how", "reason", "severity", "message", "finding_id"]
    assert sorted(suppressed["reason"]) == ["(no reason given)", "agreed with the risk team"]
    unread = views.unread_table(queries.scan_warnings(store, scan_id), queries.skipped_files(store, scan_id))
    assert unread.values.tolist() == [
        ["pyproject.toml", "warning", "[tool.mldebt]: unknown key(s) 'colour'"],
        ["(repository)", "warning", "a repository-wide warning"],
        ["notebooks/eda.ipynb cell 2:1", "skipped: syntax_error", "invalid syntax"],
        ["notebooks/eda.ipynb cell 5:1", "skipped: syntax_error", "invalid syntax"]]
    assert views.unread_table(queries.scan_warnings(store, 99), queries.skipped_files(store, 99)).empty
    assert views.project_labels(queries.projects(store, scan_id)) == {"churn": "churn (churn)",
                                                                      "upsell": "upsell (upsell)"}
    assert views.summary_notes(queries.scan_summary(store, scan_id)) == (
        "2 findings suppressed by the repository (listed on the Findings page) · 2 scan warnings (on the Findings "
        "page) · 1 file not analysed (assets)")


def test_trend_grid_fills_absent_kinds_with_zero_and_previous_scan():
    store = sample_store()
    grid = views.trend_grid(queries.findings_trend(store, "churn-system"))
    kinds = grid["kind"].nunique()
    assert len(grid) == 2 * kinds
    assert grid.groupby("scan_id")["findings"].sum().to_dict() == {1: 29, 2: 27}
    scans = queries.list_scans(store, "churn-system")
    assert views.previous_scan_id(scans, 2) == 1 and views.previous_scan_id(scans, 1) is None


def test_scan_labels_name_scans_with_or_without_a_commit():
    import pandas as pd

    scans = pd.DataFrame({"scan_id": [2, 1], "scanned_at": ["2026-11-18T11:06:40Z", "2026-11-17T09:00:00Z"],
                          "commit": ["3f9a1c2b7d4e", None]})
    assert views.scan_labels(scans) == {2: "#2 · 2026-11-18T11:06 · 3f9a1c2b", 1: "#1 · 2026-11-17T09:00 · no commit"}
