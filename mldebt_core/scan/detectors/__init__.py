"""Debt detectors that ride on the scanner's single pass over each file.

Three explicit registries (a test enumerates them):
- PYTHON_DETECTORS: name -> factory(walk context) of an object with `hooks()` (node class ->
  callable, called during the one AST walk) and `result()` (a small picklable value);
- TEXT_DETECTORS: name -> (applies(path, language), analyse(path, text)) for non-Python files
  (configs, requirements, READMEs, comments…), run in the same worker that reads the file;
- REPO_ANALYSES: functions(RepoFacts) -> Analysis, joining per-file results into findings.
"""

from mldebt_core.scan.detectors import glue, pipeline, prototype, thresholds
from mldebt_core.scan.detectors.base import Analysis, RepoFacts

PYTHON_DETECTORS: dict = {
    "thresholds": thresholds.ThresholdCollector,
    "glue": glue.GlueCollector,
    "bodies": prototype.BodyCollector,
}
TEXT_DETECTORS: dict = {}
REPO_ANALYSES: list = [thresholds.analyse, glue.analyse, pipeline.analyse, prototype.analyse]

__all__ = ["PYTHON_DETECTORS", "REPO_ANALYSES", "TEXT_DETECTORS", "Analysis", "RepoFacts"]
