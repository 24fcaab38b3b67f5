"""Per-file debt detectors: they ride on the scanner's single pass over each file.

Two explicit registries (a test enumerates them):
- PYTHON_DETECTORS: name -> factory(walk context) of an object with `hooks()` (node class ->
  callable, called during the one AST walk) and `result()` (a small picklable value);
- TEXT_DETECTORS: name -> (applies(path, language), collect(path, text)) for non-Python files
  (configs, requirements, READMEs, comments…), run in the same worker that reads the file.

Each result lands in `CodeFacts.detected[name]`; the repository analyses of
`mldebt_core.scan.analyse` (registry REPO_ANALYSES) turn them into findings.
"""

from mldebt_core.scan.collect.detectors import (
    config_files,
    config_reads,
    dead_code_facts,
    function_bodies,
    glue_facts,
    hygiene_facts,
    inline_ignores,
    manifests,
    pipeline_declarations,
    pipeline_steps,
    reference_words,
    runbook_prose,
    threshold_facts,
)

PYTHON_DETECTORS: dict = {
    "config_reads": config_reads.ConfigReads,
    "thresholds": threshold_facts.ThresholdCollector,
    "glue": glue_facts.GlueCollector,
    "bodies": function_bodies.BodyCollector,
    "hygiene": hygiene_facts.HygieneCollector,
    dead_code_facts.FACTS: dead_code_facts.DeadCodeCollector,
    "pipeline_steps": pipeline_steps.PipelineStepCollector,
}
TEXT_DETECTORS: dict = {
    "config_files": (config_files.applies, config_files.parse),
    "dependencies": (manifests.applies, manifests.parse),
    "manual_steps": (runbook_prose.applies, runbook_prose.prose_lines),
    reference_words.WORDS: (reference_words.reference_words_apply, reference_words.reference_words),
    inline_ignores.INLINE: (inline_ignores.applies, inline_ignores.inline_ignores),
    "pipeline_declarations": (pipeline_declarations.applies, pipeline_declarations.parse),
}

__all__ = ["PYTHON_DETECTORS", "TEXT_DETECTORS"]
