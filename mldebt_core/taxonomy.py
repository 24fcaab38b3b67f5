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


SECTIONS: dict[int, str] = {  # the paper's section titles, by number
    2: "Complex models erode boundaries",
    3: "Data dependencies cost more than code dependencies",
    4: "Feedback loops",
    5: "ML-system anti-patterns",
    6: "Configuration debt",
    7: "Dealing with changes in the external world",
    8: "Other areas of ML-related debt",
}


@dataclass(frozen=True)
class DebtKind:
    name: str
    paper_section: int
    title: str
    meaning: str
    paydown: str  # how to pay it down, after the paper's advice


KINDS: dict[str, DebtKind] = {
    k.name: k
    for k in [
        DebtKind("entanglement", 2, "Entanglement",
                 "Changing anything changes everything: correlated or shared features interact.",
                 "Isolate models or ensembles, drop or decorrelate interacting features, and alert on changes in "
                 "input distributions."),
        DebtKind("correction_cascade", 2, "Correction cascade",
                 "A model is trained on another model's output, so improving one can degrade the other.",
                 "Give the base model the extra features it needs, or train a separate model for the new problem, "
                 "instead of stacking a correction on its output."),
        DebtKind("undeclared_consumer", 2, "Undeclared consumer",
                 "A model output is read by code that is not declared as its consumer.",
                 "Declare every consumer of a model's output (access control, service-level agreements) so changes "
                 "can be checked against all of them."),
        DebtKind("unstable_data_dependency", 3, "Unstable data dependency",
                 "An input is read from a location that can change under the model (no version, date, hash or DVC).",
                 "Read a versioned copy of the input (a dated snapshot, a content hash or DVC) and upgrade it "
                 "deliberately."),
        DebtKind("underutilized_data_dependency", 3, "Underutilized data dependency",
                 "Legacy, bundled, epsilon or correlated features that add cost but little value.",
                 "Run leave-one-feature-out ablations regularly and delete features that add no value."),
        DebtKind("direct_feedback_loop", 4, "Direct feedback loop",
                 "A model's predictions flow back into its own training data.",
                 "Keep a randomised holdout out of the model's influence and train on it, or break the lineage from "
                 "predictions to training data."),
        DebtKind("hidden_feedback_loop", 4, "Hidden feedback loop",
                 "Two systems influence each other through the world; seen as holdout vs treatment divergence.",
                 "Look for systems that influence each other through the world, compare holdout with treatment, and "
                 "monitor for divergence."),
        DebtKind("glue_code", 5, "Glue code",
                 "A large share of code only converts data in and out of ML packages.",
                 "Wrap the ML package behind one common API of your own, so the format conversion lives in one "
                 "tested place."),
        DebtKind("pipeline_jungle", 5, "Pipeline jungle",
                 "Long chains of scripts and intermediate files, joins and scrapes.",
                 "Redesign data collection and feature extraction as one pipeline with tests, instead of adding "
                 "scripts and intermediate files."),
        DebtKind("dead_experimental_codepath", 5, "Dead experimental codepath",
                 "Flags always on or off, unreachable branches, unreferenced experiment code.",
                 "Delete experiment branches and flags that are always on or off, and review the remaining flags "
                 "periodically."),
        DebtKind("abstraction_debt", 5, "Abstraction debt",
                 "No single interface between research and production code.",
                 "Put one small, tested interface between research code and production, and make both use it."),
        DebtKind("plain_old_data", 5, "Plain-old-data type",
                 "Unitless magic numbers and predictions written without metadata.",
                 "Give thresholds and predictions types with units and metadata (model version, time, meaning) "
                 "instead of bare numbers."),
        DebtKind("multiple_language", 5, "Multiple-language smell",
                 "The data pipeline is written in several languages, which makes it hard to test and hand over.",
                 "Move the pipeline to one language, or put a tested, documented interface at each language "
                 "boundary."),
        DebtKind("prototype", 5, "Prototype smell",
                 "Notebooks or prototype code used by production code.",
                 "Move the code production needs out of notebooks and prototypes into modules with tests, and stop "
                 "importing the prototypes."),
        DebtKind("config_debt", 6, "Configuration debt",
                 "Unused, redundant or duplicated settings; configs not derived from a base.",
                 "Derive configs from one reviewed base, delete unused keys, and check configs in tests like code."),
        DebtKind("fixed_threshold", 7, "Fixed threshold",
                 "A hard-coded decision threshold that will go stale when the model changes.",
                 "Learn the threshold on held-out validation data and store it with the model, instead of hard-"
                 "coding it."),
        DebtKind("monitoring_gap", 7, "Monitoring gap",
                 "No prediction-bias check, no action limits, unmonitored upstream producers.",
                 "Monitor prediction bias, set action limits that alert a person, and watch every upstream producer."),
        DebtKind("data_testing_debt", 8, "Data testing debt",
                 "No tests on input data distributions.",
                 "Add tests on input data: schemas, ranges and distributions compared with a reference."),
        DebtKind("reproducibility_debt", 8, "Reproducibility debt",
                 "Unset random seeds, unpinned dependencies, no lock file.",
                 "Set random seeds, pin dependencies in a lock file, and record data and code versions with every "
                 "model."),
        DebtKind("process_debt", 8, "Process management debt",
                 "Manual steps in the pipeline.",
                 "Automate the manual steps (retraining, deployment, approvals) and document those that remain."),
    ]
}
