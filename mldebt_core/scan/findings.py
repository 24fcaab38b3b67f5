"""Findings with stable ids.

The id hashes the kind, the file and an anchor that names the debt (an artifact,
a cycle's output, a model pair), never the line number: the same debt at the same
place keeps its id when lines shift.
"""

import hashlib

from mldebt_core.scan.schema import Finding
from mldebt_core.settings import ScanSettings
from mldebt_core.taxonomy import KINDS


def finding_id(kind: str, file: str | None, anchor: str) -> str:
    digest = hashlib.sha1(f"{kind}\0{file or ''}\0{anchor}".encode()).hexdigest()[:12]
    return f"{kind}:{digest}"


def make_finding(kind: str, settings: ScanSettings, file: str | None, line: int | None, *, anchor: str,
                 message: str, evidence: dict, confidence: int = 100) -> Finding:
    return Finding(id=finding_id(kind, file, anchor), kind=kind, paper_section=KINDS[kind].paper_section,
                   severity=settings.severities[kind].value, file=file, line=line, message=message,
                   evidence=evidence, confidence=confidence)
