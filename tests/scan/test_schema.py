"""The scan JSON contract: the committed JSON Schema is current, documents round-trip and stay portable."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import mldebt_core
from mldebt_core.scan.schema import SCHEMA_VERSION, ScanDocument, json_schema, load_scan
from mldebt_core.taxonomy import KINDS
from tests.conftest import DEMO_SCAN, PROJECT

SCHEMA_FILE = Path(mldebt_core.__file__).parent / "scan" / "scan.schema.json"


def test_committed_json_schema_is_current():
    """Regenerate with: mldebt schema > mldebt_core/scan/scan.schema.json"""
    assert json.loads(SCHEMA_FILE.read_text()) == json_schema(), "scan.schema.json is stale"


def test_demo_scan_round_trips_through_the_models():
    text = DEMO_SCAN.read_text()
    document = ScanDocument.model_validate_json(text)
    assert json.loads(document.model_dump_json()) == json.loads(text)


def test_scan_holds_no_absolute_paths_of_the_scanning_machine():
    text = DEMO_SCAN.read_text()
    assert str(PROJECT) not in text and "/root/" not in text and "\\u0000" not in text


def test_unknown_schema_version_and_unknown_fields_are_rejected():
    document = json.loads(DEMO_SCAN.read_text())
    with pytest.raises(ValidationError, match="schema_version"):
        ScanDocument.model_validate({**document, "schema_version": 99})
    with pytest.raises(ValidationError, match="surprise"):
        ScanDocument.model_validate({**document, "surprise": 1})


def test_every_finding_kind_is_documented():
    docs = (PROJECT / "docs" / "scan-json.md").read_text() + (PROJECT / "README.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in docs, f"finding kind {kind} is not documented"


def test_a_version_1_scan_still_loads():
    """tests/assets/demo_scan_v1.json is a real schema-1 document, as mldebt 0.1 wrote it."""
    old = (PROJECT / "tests" / "assets" / "demo_scan_v1.json").read_text()
    document = load_scan(old)
    assert document.schema_version == SCHEMA_VERSION
    assert document.configs == [] and document.code_health.dead_lines is None
    assert [f.id for f in document.findings] == [f["id"] for f in json.loads(old)["findings"]]
    assert all(f.confidence == 100 for f in document.findings)
    assert all(f.excerpt is None for f in document.findings)


def test_a_version_3_scan_still_loads_with_no_excerpts():
    """Version 3 is version 4 without the findings' excerpts: the sample as mldebt wrote it before them (the
    artifacts' closures, which v4 added and v5 dropped, are left out: migrating drops them)."""
    current = json.loads(DEMO_SCAN.read_text())
    assert any(f["excerpt"] for f in current["findings"])
    old = {**current, "schema_version": 3,
           "findings": [{k: v for k, v in f.items() if k != "excerpt"} for f in current["findings"]],
           "suppressed": [{**s, "finding": {k: v for k, v in s["finding"].items() if k != "excerpt"}}
                          for s in current["suppressed"]]}
    document = load_scan(json.dumps(old))
    assert document.schema_version == SCHEMA_VERSION
    assert [f.excerpt for f in document.findings] == [None] * len(current["findings"])
    assert json.loads(document.model_dump_json(exclude={"schema_version"})) == {
        **{k: v for k, v in current.items() if k != "schema_version"},
        "findings": [{**f, "excerpt": None} for f in current["findings"]],
        "suppressed": [{**s, "finding": {**s["finding"], "excerpt": None}} for s in current["suppressed"]]}
    with pytest.raises(ValidationError, match="schema_version"):  # a v3 document is migrated, never taken as v4
        ScanDocument.model_validate(old)


def test_a_version_4_scan_loads_without_the_closures_it_stored():
    """Version 4 stored each artifact's transitive closure (`upstream`, `upstream_code`); v5 derives it from the
    lineage edges, so migrating drops the two and keeps everything else."""
    current = json.loads(DEMO_SCAN.read_text())
    old = {**current, "schema_version": 4,
           "artifacts": [{**a, "upstream": ["file:x"], "upstream_code": ["x.py"]} for a in current["artifacts"]]}
    document = load_scan(json.dumps(old))
    assert document.schema_version == SCHEMA_VERSION == 5
    assert json.loads(document.model_dump_json()) == current
    with pytest.raises(ValidationError, match="upstream"):  # a v5 document has no closures
        ScanDocument.model_validate({**old, "schema_version": 5})


def test_load_scan_rejects_what_is_not_a_scan():
    with pytest.raises(ValueError):
        load_scan("[1, 2]")
    with pytest.raises(ValueError):
        load_scan("{not json")
