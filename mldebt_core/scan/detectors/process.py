"""Manual steps in the pipeline (paper § 8, process debt): prose that tells a person to
do something by hand, and input()/getpass() calls in pipeline code.

Which documents: READMEs, runbook-like docs (RUNBOOK_NAMES) and shell scripts. Other
docs (a library's API reference, tutorials, changelogs) are left out: "manually" there
says how to call an API, not how the pipeline runs. The worker keeps those documents'
prose lines and the phrases (settings) are matched here, because text detectors see
no settings. Phrases naming a person's work count everywhere; instructions ("copy …
to …") only in documents, since in a script the script itself does them.
"""

import fnmatch
import posixpath
import re
from collections import defaultdict

from mldebt_core.scan.detectors.base import Analysis, RepoFacts
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.lineage import is_test_file

RUNBOOK_NAMES = ("readme*", "*runbook*", "*playbook*", "*pipeline*", "*deploy*", "*retrain*", "*howto*",
                 "*how-to*", "*how_to*", "*operations*", "*procedure*")
DOC_LANGUAGES = frozenset({"Markdown", "reStructuredText", "Text"})
_FENCE = re.compile(r"\s*(```|~~~)")
# "we don't have to manually restart it": a step that is *not* manual, said in the same clause
_NEGATED = re.compile(r"(?:\b(?:not|no|never|without|instead of)\b|n't)[^.;:!?]*$", re.I)
_MAX_TEXT = 200


def applies(path: str, language: str) -> bool:
    if language == "Shell":
        return not is_test_file(path)
    if language != "Other" and language not in DOC_LANGUAGES:
        return False
    name = posixpath.basename(path).lower()
    if language == "Other":  # README without a suffix
        return name.startswith("readme") and not is_test_file(path)
    return any(fnmatch.fnmatch(name, pattern) for pattern in RUNBOOK_NAMES) and not is_test_file(path)


def prose_lines(path: str, text: str) -> tuple[tuple[int, str], ...] | None:
    """Non-blank lines outside Markdown code fences: (line, text)."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (stripped := line.strip()):
            lines.append((number, stripped[:_MAX_TEXT]))
    return tuple(lines) or None


def analyse(repo: RepoFacts) -> Analysis:
    return Analysis(findings=[*_documented_steps(repo), *_interactive_inputs(repo)])


def _documented_steps(repo: RepoFacts) -> list:
    settings = repo.settings.hygiene
    anywhere = [re.compile(p, re.I) for p in settings.manual_step_phrases]
    in_docs = anywhere + [re.compile(p, re.I) for p in settings.manual_step_instructions]
    scripts = {r.path for r in repo.results if r.language == "Shell"}
    findings = []
    for path, lines in sorted(repo.detected("manual_steps").items()):
        phrases = anywhere if path in scripts else in_docs
        seen: dict[str, int] = defaultdict(int)
        for number, text in lines:
            pattern, match = next(((p, m) for p in phrases if (m := p.search(text))), (None, None))
            if match is None or _NEGATED.search(text, 0, match.start()):
                continue
            anchor = f"{pattern.pattern}:{seen[pattern.pattern]}"
            seen[pattern.pattern] += 1
            findings.append(make_finding(
                "process_debt", repo.settings, path, number, anchor=anchor,
                message=f"documents a manual step: \"{match.group(0)}\"",
                evidence={"phrase": match.group(0), "text": text}, confidence=settings.manual_step_confidence))
    return findings


def _interactive_inputs(repo: RepoFacts) -> list:
    settings = repo.settings.hygiene
    pipeline = _pipeline_files(repo)
    findings = []
    for path, hygiene in sorted(repo.detected("hygiene").items()):
        if path not in pipeline:
            continue
        seen: dict[tuple[str, str], int] = defaultdict(int)
        for site in hygiene.manual_inputs:
            key = (site.function, site.call)
            findings.append(make_finding(
                "process_debt", repo.settings, path, site.line, anchor=f"{site.function}:{site.call}:{seen[key]}",
                message=f"{site.call}() waits for a person at run time in pipeline code (this file {pipeline[path]})",
                evidence={"call": site.call, "function": site.function or "(module)", "pipeline_role": pipeline[path]},
                confidence=settings.interactive_input_confidence))
            seen[key] += 1
    return findings


def _pipeline_files(repo: RepoFacts) -> dict[str, str]:
    """Non-test code that reads or writes data, or that a shell step runs: path -> why."""
    members = {a.file: "reads or writes pipeline data" for a in repo.accesses
               if a.artifact is not None and not is_test_file(a.file)}
    for facts in repo.facts.values():
        for _, target in facts.runs:
            module = repo.index.by_name.get(target)
            path = posixpath.normpath(target) if target.endswith(".py") else module.path if module else None
            if path is not None and not is_test_file(path):
                members.setdefault(path, "is run by a shell step")
    return members
