"""The sample scan, a second, modified scan of the same system, and one with everything scan schema v3 added,
shared by the store and page tests."""

import copy
import json
from datetime import datetime, timedelta

from tests.conftest import DEMO_SCAN

# The demo scan as if two kinds had measured a lower precision: the confidence floor of the pages has findings
# to hide (the demo's own kinds all measure above it).
LESS_CONFIDENT = {"pipeline_jungle": 55, "process_debt": 40}
SAMPLE = json.loads(DEMO_SCAN.read_bytes())
for _finding in SAMPLE["findings"]:
    _finding["confidence"] = LESS_CONFIDENT.get(_finding["kind"], _finding["confidence"])
SAMPLE_BYTES = json.dumps(SAMPLE).encode()


def modified_scan(commit: str = "b" * 40) -> dict:
    """A later scan (a day after the sample's): three findings fixed, one new, one more language."""
    document = copy.deepcopy(SAMPLE)
    later = datetime.fromisoformat(SAMPLE["repo"]["scanned_at"]) + timedelta(days=1)
    document["repo"].update(commit=commit, scanned_at=later.isoformat().replace("+00:00", "Z"))
    fixed = document["findings"][:3]
    document["findings"] = document["findings"][3:] + [{
        **fixed[0], "id": "fixed_threshold:000000000001", "kind": "fixed_threshold", "paper_section": 7,
        "severity": "high", "file": "churn/score.py", "line": 12, "message": "threshold 0.7 in code"}]
    document["languages"].append({"language": "Rust", "files": 1, "lines": 5})
    return document


def as_bytes(document: dict) -> bytes:
    return json.dumps(document).encode()


def answered_scan() -> dict:
    """The sample as a monorepo scan with everything schema v3 added: projects, warnings, a finding's project,
    suppressed findings, an asset, and two skipped cells of one notebook on the same line."""
    document = modified_scan(commit="d" * 40)
    first, second, *rest = document["findings"]
    document["findings"] = [{**rest[0], "project": "churn"}, *rest[1:]]
    document["suppressed"] = [{"finding": first, "how": "inline", "reason": "agreed with the risk team"},
                              {"finding": {**second, "project": "churn"}, "how": "config", "reason": ""}]
    summary = document["summary"]
    document["summary"] = {**summary, "suppressed": 2, "skipped": 2, "not_analysed": 1, "files": summary["files"] + 1}
    document["projects"] = [{"path": "churn", "name": "churn", "markers": ["pyproject.toml", "dvc.yaml"]},
                            {"path": "upsell", "name": "upsell", "markers": ["requirements.txt"]}]
    document["warnings"] = [{"path": "pyproject.toml", "message": "[tool.mldebt]: unknown key(s) 'colour'"},
                            {"path": None, "message": "a repository-wide warning"}]
    document["files"] = [*document["files"], {"path": "docs/logo.png", "language": "Other", "lines": 0,
                                              "bytes": 2048, "analysed": False}]
    document["skipped"] = [{"path": "notebooks/eda.ipynb", "reason": "syntax_error", "detail": "invalid syntax",
                            "line": 1, "cell": cell} for cell in (5, 2)]
    return document


def assert_stored_whole_or_refused(store, data: bytes) -> None:
    """What the property tests of scan ingest hold for any input: refused with one line naming the file and
    nothing written, or stored whole (one scan more, every finding of it), or recognised as stored already."""
    from mldebt_core.store import IngestError, ingest_scan

    before = store.table_counts()
    try:
        result = ingest_scan(store, data, "any.json")
    except IngestError as refused:
        assert str(refused).startswith("any.json: ") and "\n" not in str(refused)
        assert store.table_counts() == before
        return
    after = store.table_counts()
    if result.created:
        assert after["scans"] == before["scans"] + 1
        assert after["findings"] - before["findings"] == len(json.loads(data).get("findings", []))
    else:
        assert after == before
