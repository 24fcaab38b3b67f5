"""Manual steps in the pipeline (paper § 8, process debt): prose that tells a person to
do something by hand, and input()/getpass() calls in pipeline code.

The prose lines of READMEs, runbooks and shell scripts come from
`collect/detectors/runbook_prose.py`, the input()/getpass() calls from `hygiene_facts`.
Phrases naming a person's work count everywhere; instructions ("copy … to …") only
in documents, since in a script the script itself does them.
"""

import posixpath
import re
from collections import defaultdict

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

# "we don't have to manually restart it": a step that is *not* manual, said in the same clause
_NEGATED = re.compile(r"(?:\b(?:not|no|never|without|instead of)\b|n't)[^.;:!?]*$", re.I)


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
