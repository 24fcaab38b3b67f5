"""The feedback-loop use case: compare the holdout with the treatment; with the defaults, record the findings."""

from dataclasses import dataclass

from mldebt_core.feedback.report import SOURCE, FeedbackOptions, FeedbackReport, feedback_report
from mldebt_core.store import Store
from mldebt_core.usecases.findings import Recorded, record


@dataclass(frozen=True)
class FeedbackRun:
    report: FeedbackReport
    recorded: Recorded | None
    """None: the run used other options than the defaults, so it recorded nothing"""


def run_feedback(store: Store, system: str, options: FeedbackOptions = FeedbackOptions()) -> FeedbackRun:
    report = feedback_report(store, system, options)
    return FeedbackRun(report, record(store, system, SOURCE, report.findings, options.is_default))
