"""The sample scan and a second, modified scan of the same system, shared by the store tests."""

import copy
import json

from tests.conftest import DEMO_SCAN

SAMPLE_BYTES = DEMO_SCAN.read_bytes()
SAMPLE = json.loads(SAMPLE_BYTES)


def modified_scan(commit: str = "b" * 40, scanned_at: str = "2026-12-01T09:00:00Z") -> dict:
    """A later scan: three findings fixed, one new, one more language."""
    document = copy.deepcopy(SAMPLE)
    document["repo"].update(commit=commit, scanned_at=scanned_at)
    fixed = document["findings"][:3]
    document["findings"] = document["findings"][3:] + [{
        **fixed[0], "id": "fixed_threshold:000000000001", "kind": "fixed_threshold", "paper_section": 7,
        "severity": "high", "file": "churn/score.py", "line": 12, "message": "threshold 0.7 in code"}]
    document["languages"].append({"language": "Rust", "files": 1, "lines": 5})
    return document


def as_bytes(document: dict) -> bytes:
    return json.dumps(document).encode()
