"""Human-readable summary of a scan (`mldebt scan --format summary`): the worst findings first, and what was
left out said in numbers (not listed, not chosen, suppressed by the repository), then the scan's warnings."""

from collections import Counter
from collections.abc import Collection

from mldebt_core.scan.schema import Finding, ScanDocument
from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from mldebt_core.taxonomy import KINDS, Severity

DEFAULT_LIMIT = DEFAULT_FINDINGS_VIEW_SETTINGS.summary_findings


def summary_text(document: ScanDocument, limit: int | None = DEFAULT_LIMIT, kinds: Collection[str] | None = None,
                 min_severity: str | None = None) -> str:
    """The summary; `limit` findings at most (None: all), of `kinds` only and at least `min_severity` (None: any)."""
    repo, summary = document.repo, document.summary
    commit = f"commit {repo.commit[:10]}" if repo.commit else "no git commit"
    suppressed = f", {summary.suppressed} suppressed" if summary.suppressed else ""
    lines = [f"mldebt scan of {repo.name} ({commit}): {summary.files} files, {summary.lines} lines, "
             f"{summary.skipped} skipped, {len(document.artifacts)} artifacts, {len(document.findings)} findings"
             f"{suppressed}", ""]
    floor = Severity(min_severity).rank if min_severity else 0
    chosen = [f for f in document.findings
              if (not kinds or f.kind in kinds) and Severity(f.severity).rank >= floor]
    if not document.findings:
        lines.append("No findings.")
    elif not chosen:
        lines.append(f"No findings{_choice(kinds, min_severity)} ({len(document.findings)} in all).")
    else:
        lines += [*_kind_table(chosen), ""]
        worst = sorted(chosen, key=lambda f: (-Severity(f.severity).rank, -f.confidence, f.kind, f.file or "",
                                              f.line or 0))
        shown = worst if limit is None else worst[:limit]
        width = max(len(f.kind) for f in shown)
        lines += [f"{f.severity:<8}  {f.kind:<{width}}  {_where(f)}  {f.message}" for f in shown]
        if len(shown) < len(worst):
            lines.append(f"… {len(worst) - len(shown)} more not shown: the worst {len(shown)} of {len(worst)} "
                         f"are listed (--all lists every one).")
        if len(chosen) < len(document.findings):
            lines.append(f"{_count(len(document.findings) - len(chosen), 'finding')} not chosen by --kind / "
                         "--min-severity.")
    if summary.suppressed:
        lines.append(f"{_count(summary.suppressed, 'finding')} suppressed by the repository (inline "
                     "`# mldebt: ignore` or [tool.mldebt.ignore]); the JSON lists them under `suppressed`, with "
                     "their reasons.")
    if document.warnings:
        lines += ["", f"{_count(len(document.warnings), 'warning')}:"]
        lines += [f"  {w.path or '(repository)'}: {w.message}" for w in document.warnings]
    return "\n".join(lines) + "\n"


def _kind_table(findings: list[Finding]) -> list[str]:
    worst: dict[str, str] = {}
    for finding in findings:
        if finding.kind not in worst or Severity(finding.severity).rank > Severity(worst[finding.kind]).rank:
            worst[finding.kind] = finding.severity
    counts = Counter(f.kind for f in findings)
    width = max(len(k) for k in counts)
    rows = [f"{'kind':<{width}}  {'§':>2}  {'worst':<8}  {'count':>5}"]
    for kind in sorted(counts, key=lambda k: (-Severity(worst[k]).rank, KINDS[k].paper_section, k)):
        rows.append(f"{kind:<{width}}  {KINDS[kind].paper_section:>2}  {worst[kind]:<8}  {counts[kind]:>5}")
    return rows


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _choice(kinds: Collection[str] | None, min_severity: str | None) -> str:
    parts = ([f" of kind {', '.join(sorted(kinds))}"] if kinds else []) + \
            ([f" of severity {min_severity} or higher"] if min_severity else [])
    return "".join(parts)


def _where(finding: Finding) -> str:
    if not finding.file:
        return f"(project {finding.project})" if finding.project and finding.project != "." else "(repository)"
    if finding.cell:
        return f"{finding.file}, cell {finding.cell}, line {finding.line}"
    return f"{finding.file}:{finding.line}" if finding.line else finding.file
