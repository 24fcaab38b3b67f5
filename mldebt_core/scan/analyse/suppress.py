"""The repository's answers: findings its authors suppressed move from `findings` to `suppressed`, counted.

Runs on the assembled document, whose findings already carry their notebook cells. An inline
`# mldebt: ignore[kind] reason` comment (`collect/detectors/inline_ignores.py`) is matched first, then
`[tool.mldebt.ignore]` (`resolve/repo_info.py`). A suppressed finding is never dropped: it stays in the
document's `suppressed` with how and why, and `summary.suppressed` counts it. A comment naming no known
kind, and every mistake in `[tool.mldebt]`, becomes a warning of the scan.
"""

import difflib
from collections import Counter

from mldebt_core.scan.collect.detectors.inline_ignores import INLINE, InlineIgnore
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.resolve.repo_info import KindIgnore, RepoConfig
from mldebt_core.scan.schema import Finding, ScanDocument, ScanWarning, SuppressedFinding
from mldebt_core.taxonomy import KINDS, Severity


def answer_back(document: ScanDocument, config: RepoConfig, repo: RepoFacts) -> ScanDocument:
    """The document with the findings the repository suppressed moved to `suppressed`, and its warnings."""
    inline: dict[str, tuple[InlineIgnore, ...]] = repo.detected(INLINE)
    warnings = [*config.warnings, *_unknown_kinds(inline)]
    kept, suppressed = [], []
    for finding in document.findings:
        answer = _inline(finding, inline.get(finding.file, ())) or _configured(finding, config.ignores)
        if answer is None:
            kept.append(finding)
        else:
            suppressed.append(SuppressedFinding(finding=finding, how=answer[0], reason=answer[1]))
    if not suppressed and not warnings:
        return document
    summary = document.summary.model_copy(update={
        "findings_by_kind": dict(sorted(Counter(f.kind for f in kept).items())),
        "findings_by_severity": {s.value: n for s in Severity if (n := sum(f.severity == s.value for f in kept))},
        "suppressed": document.summary.suppressed + len(suppressed)})
    return document.model_copy(update={"findings": kept, "suppressed": [*document.suppressed, *suppressed],
                                       "summary": summary, "warnings": [*document.warnings, *warnings]})


def _inline(finding: Finding, ignores: tuple[InlineIgnore, ...]) -> tuple[str, str] | None:
    """A comment covering the finding's line (same cell), naming its kind or every kind. A finding about a
    whole file (no line) needs a comment anywhere in the file that names its kind."""
    for ignore in ignores:
        if finding.line is None:
            if finding.kind in ignore.kinds:
                return "inline", ignore.reason
        elif ignore.covers == finding.line and ignore.cell == finding.cell and (
                not ignore.kinds or finding.kind in ignore.kinds):
            return "inline", ignore.reason
    return None


def _configured(finding: Finding, ignores: tuple[KindIgnore, ...]) -> tuple[str, str] | None:
    """An entry for its kind whose paths match its file; a project-wide finding (no file) is matched by its
    project's folder, so `reproducibility_debt = ["legacy/"]` covers the legacy project's missing lock file."""
    where = finding.file or (f"{finding.project}/" if finding.project and finding.project != "." else None)
    for ignore in ignores:
        if ignore.kind == finding.kind and ignore.covers(where):
            return "config", ignore.reason
    return None


def _unknown_kinds(inline: dict[str, tuple[InlineIgnore, ...]]) -> list[ScanWarning]:
    warnings = []
    for path, ignores in sorted(inline.items()):
        for ignore in ignores:
            for kind in ignore.kinds:
                if kind not in KINDS:
                    close = difflib.get_close_matches(kind, KINDS, n=1)
                    where = f"cell {ignore.cell}, line {ignore.line}" if ignore.cell else f"line {ignore.line}"
                    warnings.append(ScanWarning(path=path, message=(
                        f"{where}: `mldebt: ignore[{kind}]` names no finding kind"
                        + (f" (did you mean {close[0]!r}?)" if close else " (see docs/detectors.md)")
                        + "; no finding is suppressed under that name")))
    return warnings
