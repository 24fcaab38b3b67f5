"""Stage 3 of the scan: repository analyses that turn the joined facts into findings.

REPO_ANALYSES is the explicit registry (a test enumerates it): functions
`analyse(repo: RepoFacts) -> Analysis`, each reading what it needs from the resolved
repository (`resolve.repo_facts.RepoFacts`: per-file detector results, module index,
data accesses, lineage, DVC outputs, declared consumers, pipeline languages) and
returning findings plus what it adds to the document (`analysis.Analysis`). They run
in this order, one after another, in the main process; the document sorts findings.

May import `collect` and `resolve`.
"""

from mldebt_core.scan.analyse import (
                       config_debt,
                       dead_code,
                       dependencies,
                       glue,
                       lineage_debt,
                       pipeline,
                       practices,
                       process,
                       prototype,
                       reproducibility,
                       thresholds,
)

REPO_ANALYSES: list = [lineage_debt.analyse, thresholds.analyse, glue.analyse, pipeline.analyse, prototype.analyse,
                       reproducibility.analyse, dependencies.analyse, practices.analyse, process.analyse,
                       config_debt.config_debt, dead_code.analyse]

__all__ = ["REPO_ANALYSES"]
