"""The debt taxonomy of DESIGN.md: every finding kind, its paper section and meaning.

An explicit registry (no magic registration): tests enumerate it and check that
every kind is documented.
"""

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class DebtKind:
    name: str
    paper_section: int
    title: str
    meaning: str


KINDS: dict[str, DebtKind] = {
    k.name: k
    for k in [
        DebtKind("entanglement", 2, "Entanglement",
                 "Changing anything changes everything: correlated or shared features interact."),
        DebtKind("correction_cascade", 2, "Correction cascade",
                 "A model is trained on another model's output, so improving one can degrade the other."),
        DebtKind("undeclared_consumer", 2, "Undeclared consumer",
                 "A model output is read by code that is not declared as its consumer."),
        DebtKind("unstable_data_dependency", 3, "Unstable data dependency",
                 "An input is read from a location that can change under the model (no version, date, hash or DVC)."),
        DebtKind("underutilized_data_dependency", 3, "Underutilized data dependency",
                 "Legacy, bundled, epsilon or correlated features that add cost but little value."),
        DebtKind("direct_feedback_loop", 4, "Direct feedback loop",
                 "A model's predictions flow back into its own training data."),
        DebtKind("hidden_feedback_loop", 4, "Hidden feedback loop",
                 "Two systems influence each other through the world; seen as holdout vs treatment divergence."),
        DebtKind("glue_code", 5, "Glue code",
                 "A large share of code only converts data in and out of ML packages."),
        DebtKind("pipeline_jungle", 5, "Pipeline jungle",
                 "Long chains of scripts and intermediate files, joins and scrapes."),
        DebtKind("dead_experimental_codepath", 5, "Dead experimental codepath",
                 "Flags always on or off, unreachable branches, unreferenced experiment code."),
        DebtKind("abstraction_debt", 5, "Abstraction debt",
                 "No single interface between research and production code."),
        DebtKind("plain_old_data", 5, "Plain-old-data type",
                 "Unitless magic numbers and predictions written without metadata."),
        DebtKind("multiple_language", 5, "Multiple-language smell",
                 "The data pipeline is written in several languages, which makes it hard to test and hand over."),
        DebtKind("prototype", 5, "Prototype smell",
                 "Notebooks or prototype code used by production code."),
        DebtKind("config_debt", 6, "Configuration debt",
                 "Unused, redundant or duplicated settings; configs not derived from a base."),
        DebtKind("fixed_threshold", 7, "Fixed threshold",
                 "A hard-coded decision threshold that will go stale when the model changes."),
        DebtKind("monitoring_gap", 7, "Monitoring gap",
                 "No prediction-bias check, no action limits, unmonitored upstream producers."),
        DebtKind("data_testing_debt", 8, "Data testing debt",
                 "No tests on input data distributions."),
        DebtKind("reproducibility_debt", 8, "Reproducibility debt",
                 "Unset random seeds, unpinned dependencies, no lock file."),
        DebtKind("process_debt", 8, "Process management debt",
                 "Manual steps in the pipeline."),
    ]
}
