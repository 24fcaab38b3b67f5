"""`mldebt feedback`: holdout vs treatment per window, feedback-loop detection and holdout health (paper § 4)."""

import argparse
import json
import sys

from mldebt_core.commands.common import open_store, options, tell, tell_recorded, write_frame
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS

METRIC_HELP = ("label_rate (share of labelled rows with label 1), mean_prediction, calibration_gap (mean "
               "prediction minus label rate over labelled rows), auc, or the name of a numeric column of the log "
               "(its mean, e.g. revenue)")


def add_commands(commands) -> None:
    feedback = commands.add_parser(
        "feedback", help="compare the holdout with the treatment and detect feedback loops",
        description="Compare two segments of a system's prediction log per window (default: the 'holdout' "
                    "segment against every other), each metric with its 95% interval (Wilson for rates, a "
                    "seeded bootstrap for means and AUC) and the treatment - holdout gap with its interval. "
                    "A CUSUM on the standardised gap of the first metric reports when the gap opened, how "
                    "large it is and a verdict in plain words; holdout health gives the holdout's share, its "
                    "minimum detectable effect and warnings (too small, shrinking, rows with model actions); "
                    "with several models, their metric changes are correlated across lags; the latest scan's "
                    "lineage loops are listed too. The verdict and warnings go to stderr. Run with no --model, "
                    "--metric, --segments or --window, the result's hidden_feedback_loop findings replace the "
                    "system's earlier ones in the database (analysis findings of source 'feedback').",
        epilog="examples:  mldebt feedback --system churn-system\n"
               "           mldebt feedback --system churn-system --model churn-v2 --metric auc label_rate\n"
               "           mldebt feedback --system shop --metric revenue --segments control treatment-b "
               "--format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system", "model", "window", "format"))
    feedback.add_argument("--metric", nargs="+", default=[], metavar="METRIC",
                          help=f"one or more of: {METRIC_HELP}; detection runs on the first (default: every "
                               f"built-in metric the log supports, label_rate first)")
    feedback.add_argument("--segments", nargs=2, metavar=("HOLDOUT", "TREATMENT"),
                          help="the two segment values to compare (default: "
                               f"'{DEFAULT_FEEDBACK_SETTINGS.holdout_segment}' against every other segment)")
    feedback.set_defaults(run=_feedback)


def _feedback(args) -> int:
    from mldebt_core.feedback.histograms import Selection
    from mldebt_core.feedback.report import FeedbackOptions, report_dict, windows_frame
    from mldebt_core.usecases.feedback import run_feedback

    holdout, treatment = args.segments or (DEFAULT_FEEDBACK_SETTINGS.holdout_segment, None)
    chosen = FeedbackOptions(Selection(args.model, holdout, treatment, args.window), tuple(args.metric))
    with open_store(args) as store:
        run = run_feedback(store, args.system, chosen)
    report = run.report
    if args.format == "csv":
        write_frame(windows_frame(report.comparison), "csv")
    else:
        sys.stdout.write(json.dumps(report_dict(report), indent=1) + "\n")
    tell(report.verdict)
    for warning in report.health.warnings:
        tell(f"warning: {warning}")
    tell_recorded(args.system, run.recorded)
    return 0
