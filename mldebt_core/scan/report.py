"""Human-readable summary of a scan (`mldebt scan --format summary`)."""

from collections import Counter

from mldebt_core.scan.schema import ScanDocument
from mldebt_core.taxonomy import KINDS, Severity


def summary_text(document: ScanDocument) -> str:
    repo, summary = document.repo, document.summary
    commit = f"commit {repo.commit[:10]}" if repo.commit else "no git commit"
    lines = [f"mldebt scan of {repo.name} ({commit}): {summary.files} files, {summary.lines} lines, "
             f"{summary.skipped} skipped, {len(document.artifacts)} artifacts, {len(document.findings)} findings",
             ""]
    if not document.findings:
        return "\n".join([*lines, "No findings."]) + "\n"
    worst: dict[str, str] = {}
    for finding in document.findings:
        if finding.kind not in worst or Severity(finding.severity).rank > Severity(worst[finding.kind]).rank:
            worst[finding.kind] = finding.severity
    counts = Counter(f.kind for f in document.findings)
    width = max(len(k) for k in counts)
    lines.append(f"{'kind':<{width}}  {'§':>2}  {'worst':<8}  {'count':>5}")
    for kind in sorted(counts, key=lambda k: (-Severity(worst[k]).rank, KINDS[k].paper_section, k)):
        lines.append(f"{kind:<{width}}  {KINDS[kind].paper_section:>2}  {worst[kind]:<8}  {counts[kind]:>5}")
    lines.append("")
    for finding in sorted(document.findings, key=lambda f: (-Severity(f.severity).rank, f.kind, f.file or "")):
        where = _where(finding)
        lines.append(f"{finding.severity:<8}  {finding.kind:<{width}}  {where}  {finding.message}")
    return "\n".join(lines) + "\n"


def _where(finding) -> str:
    if not finding.file:
        return "(repository)"
    if finding.cell:
        return f"{finding.file}, cell {finding.cell}, line {finding.line}"
    return f"{finding.file}:{finding.line}" if finding.line else finding.file
