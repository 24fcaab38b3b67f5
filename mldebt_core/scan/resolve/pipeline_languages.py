"""Which languages the data pipeline is written in: code that reads or writes data, or runs a step that does."""

import posixpath
from collections import defaultdict

from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.collect.walk import PROGRAMMING_LANGUAGES, PYTHON_LANGUAGES
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.schema import DataAccess


def pipeline_languages(accesses: list[DataAccess], facts: dict[str, CodeFacts], language_of: dict[str, str],
                       index: ModuleIndex) -> dict[str, list[str]]:
    """language -> the code files (sorted) taking part in the pipeline; notebooks count as Python."""
    members = {a.file for a in accesses if a.artifact is not None and not is_test_file(a.file)}
    for path, fact in facts.items():
        for _, target in fact.runs:
            script = target if target.endswith(".py") else None
            module = index.by_name.get(target)
            if (script and posixpath.normpath(script) in members) or (module and module.path in members):
                members.add(path)
    by_language: dict[str, list[str]] = defaultdict(list)
    for path in sorted(members):
        language = "Python" if language_of[path] in PYTHON_LANGUAGES else language_of[path]
        if language in PROGRAMMING_LANGUAGES:
            by_language[language].append(path)
    return dict(by_language)
