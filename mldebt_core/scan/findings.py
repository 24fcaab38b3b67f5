"""Findings with stable ids and measured confidence.

The id hashes the kind, the file and an anchor that names the debt (an artifact,
a cycle's output, a model pair), never the line number: the same debt at the same
place keeps its id when lines shift.

A finding's confidence is its kind's measured precision: the share of the kind's findings judged real debt
on the labelled corpus of public ML repositories (measured_precision.json, written by
`bench/precision.py --write-confidence`). A kind judged too rarely to measure gets the precision of all
judged findings.
"""

import hashlib
import json
from pathlib import Path

from mldebt_core.scan.schema import Finding
from mldebt_core.settings import ScanSettings
from mldebt_core.taxonomy import KINDS

_MEASURED = json.loads((Path(__file__).parent / "measured_precision.json").read_text())
CONFIDENCE = {kind: measured["precision"] for kind, measured in _MEASURED["kinds"].items()}
UNMEASURED_CONFIDENCE: int = _MEASURED["all"]


def finding_id(kind: str, file: str | None, anchor: str) -> str:
    digest = hashlib.sha1(f"{kind}\0{file or ''}\0{anchor}".encode()).hexdigest()[:12]
    return f"{kind}:{digest}"


def make_finding(kind: str, settings: ScanSettings, file: str | None, line: int | None, *, anchor: str,
                 message: str, evidence: dict) -> Finding:
    return Finding(id=finding_id(kind, file, anchor), kind=kind, paper_section=KINDS[kind].paper_section,
                   severity=settings.severities[kind].value, file=file, line=line, message=message,
                   evidence=evidence, confidence=CONFIDENCE.get(kind, UNMEASURED_CONFIDENCE))
