"""Which languages the data pipeline is written in: code that reads or writes data, or runs a step that does.

Only the system's own steps count: tests, examples, tutorials and docs, CI jobs and the
scripts that install, provision or configure an environment (`install.sh`,
`.devcontainer/setup_env.sh`, `infra/…`) are not part of the pipeline, and neither is a
shell line that writes a dotfile or a config, or fetches an installer. Shell scripts are
drivers, not a language the pipeline is written in: a job script that runs the Python
steps and copies their outputs (`python train.py && aws s3 cp …`) is how pipelines are
launched everywhere, and counting it made every repository with a `run.sh` "multilingual".
"""

import posixpath
import re
from collections import defaultdict

from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.paths import NON_PRODUCTION_FOLDERS, is_test_file
from mldebt_core.scan.collect.walk import PROGRAMMING_LANGUAGES, PYTHON_LANGUAGES
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.schema import DataAccess

DRIVER_LANGUAGES = frozenset({"Shell"})  # run the steps and move files; the steps are written in the others
# Folders of CI, containers, infrastructure and maintainers' tooling, and names of scripts that set up or check an
# environment or the repository itself (`check-readme-projects.sh`).
_SUPPORT_FOLDER = re.compile(r"^\.?(?:github|gitlab|circleci|buildkite|ci|husky|devcontainer|admin)$|setup|install|"
                             r"provision|infra|terraform|helm|k8s|kubernetes|ansible", re.I)
_SUPPORT_SCRIPT = re.compile(
    r"^(?:install|uninstall|setup|bootstrap|configure|provision|destroy|teardown|cleanup|set[-_]?env|env|"
    r"init[-_]?env|activate|deps|dependencies|lint|build[-_]?docs|docs|conftest|noxfile|tasks|fabfile|"
    r"check)(?:[-_.][\w.-]*)?\.(?:sh|bash|zsh|ps1|py)$", re.I)
# Shell-side accesses that are no data: dotfiles, configs, scripts, installers.
_NOT_DATA = re.compile(r"(?:^~|^/(?:etc|dev|proc|usr)/|(?:^|/)\.[^/]+$|\.(?:sh|bash|ps1|env|ini|cfg|toml|lock|"
                       r"ya?ml|rc)$)", re.I)


def is_support_script(path: str) -> bool:
    """CI jobs and scripts that install, provision or configure an environment: not the system's own steps."""
    folders = path.split("/")[:-1]
    return any(_SUPPORT_FOLDER.search(f) for f in folders) or bool(_SUPPORT_SCRIPT.match(posixpath.basename(path)))


def in_pipeline(path: str) -> bool:
    """Code that may be a step of the pipeline: not a test, an example, a doc or a support script."""
    return not (is_test_file(path) or is_support_script(path)
                or NON_PRODUCTION_FOLDERS.intersection(path.split("/")[:-1]))


def pipeline_languages(accesses: list[DataAccess], facts: dict[str, CodeFacts], language_of: dict[str, str],
                       index: ModuleIndex) -> dict[str, list[str]]:
    """language -> the code files (sorted) taking part in the pipeline; notebooks count as Python."""
    members = {a.file for a in accesses if a.artifact is not None and in_pipeline(a.file)
               and (language_of.get(a.file) in PYTHON_LANGUAGES or not _NOT_DATA.search(a.location or ""))}
    for path, fact in facts.items():
        if not in_pipeline(path):
            continue
        for _, target in fact.runs:
            script = target if target.endswith(".py") else None
            module = index.by_name.get(target)
            if (script and posixpath.normpath(script) in members) or (module and module.path in members):
                members.add(path)
    by_language: dict[str, list[str]] = defaultdict(list)
    for path in sorted(members):
        language = "Python" if language_of[path] in PYTHON_LANGUAGES else language_of[path]
        if language in PROGRAMMING_LANGUAGES and language not in DRIVER_LANGUAGES:
            by_language[language].append(path)
    return dict(by_language)
