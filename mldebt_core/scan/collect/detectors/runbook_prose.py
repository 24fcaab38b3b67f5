"""Documents that say how the pipeline runs, kept as prose lines for process debt (§ 8)
(a TEXT_DETECTOR): READMEs, runbook-like docs (RUNBOOK_NAMES) and shell scripts.

Other docs (a library's API reference, tutorials, changelogs) are left out: "manually"
there says how to call an API, not how the pipeline runs. The worker keeps only the
prose lines; `analyse/process.py` matches the phrases (settings), because text
detectors see no settings.
"""

import fnmatch
import posixpath
import re

from mldebt_core.scan.collect.paths import is_test_file

RUNBOOK_NAMES = ("readme*", "*runbook*", "*playbook*", "*pipeline*", "*deploy*", "*retrain*", "*howto*",
                 "*how-to*", "*how_to*", "*operations*", "*procedure*")
DOC_LANGUAGES = frozenset({"Markdown", "reStructuredText", "Text"})
_FENCE = re.compile(r"\s*(```|~~~)")
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
