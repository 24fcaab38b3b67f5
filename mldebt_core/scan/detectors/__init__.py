"""Debt detectors that ride on the scanner's single pass over each file.

Three explicit registries (a test enumerates them):
- PYTHON_DETECTORS: name -> factory(walk context) of an object with `hooks()` (node class ->
  callable, called during the one AST walk) and `result()` (a small picklable value);
- TEXT_DETECTORS: name -> (applies(path, language), analyse(path, text)) for non-Python files
  (configs, requirements, READMEs, comments…), run in the same worker that reads the file;
- REPO_ANALYSES: functions(RepoFacts) -> Analysis, joining per-file results into findings.
"""

from mldebt_core.scan.detectors import glue, pipeline, prototype, thresholds
from mldebt_core.scan.detectors import dependencies, hygiene_facts, practices, process, reproducibility
from mldebt_core.scan.detectors import config_debt, config_files, config_reads
from mldebt_core.scan.detectors import dead_code, dead_code_facts
from mldebt_core.scan.detectors.base import Analysis, RepoFacts

PYTHON_DETECTORS: dict = {
    "config_reads": config_reads.ConfigReads,
    "thresholds": thresholds.ThresholdCollector,
    "glue": glue.GlueCollector,
    "bodies": prototype.BodyCollector,
    "hygiene": hygiene_facts.HygieneCollector,
    dead_code.FACTS: dead_code_facts.DeadCodeCollector,
}
TEXT_DETECTORS: dict = {
    "config_files": (config_files.applies, config_files.analyse),
    "dependencies": (dependencies.applies, dependencies.parse),
    "manual_steps": (process.applies, process.prose_lines),
    dead_code.WORDS: (dead_code.reference_words_apply, dead_code.reference_words),
}
REPO_ANALYSES: list = [thresholds.analyse, glue.analyse, pipeline.analyse, prototype.analyse,
                       reproducibility.analyse, dependencies.analyse, practices.analyse, process.analyse,
                       config_debt.config_debt, dead_code.analyse]

__all__ = ["PYTHON_DETECTORS", "REPO_ANALYSES", "TEXT_DETECTORS", "Analysis", "RepoFacts"]
