"""Words of the files that may name Python code without importing it (a TEXT_DETECTOR):
configs (entry points, Hydra `_target_:`), shell scripts, Makefiles, setup.py. A
function named there is referenced, for dead-code analysis (`analyse/dead_code.py`).
"""

import re

WORDS = "dead_code_words"  # this detector's name in TEXT_DETECTORS
# Files whose words may name Python code: configs (entry points, hydra `_target_`), scripts that call it.
REFERENCE_LANGUAGES = frozenset({"YAML", "TOML", "JSON", "INI", "Dotenv", "Shell", "Makefile", "Dockerfile", "Cython"})
_WORD = re.compile(r"[A-Za-z_]\w*")


def reference_words_apply(path: str, language: str) -> bool:
    return language in REFERENCE_LANGUAGES or path.rsplit("/", 1)[-1] == "setup.py"


def reference_words(path: str, text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))
