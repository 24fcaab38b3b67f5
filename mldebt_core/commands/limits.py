"""`mldebt limits` and `mldebt producers`: action limits and the health of up-stream producers (paper § 7)."""

import argparse

from mldebt_core.commands.common import open_store, options, tell, tell_recorded, write_frame
from mldebt_core.errors import MldebtError
from mldebt_core.logs.windows import WINDOWS

METRIC_HELP = ("positive_share (share of positive actions among the rows with an action, 0-1), positive_actions "
               "(number of positive actions), mean_prediction (mean prediction)")


def add_commands(commands) -> None:
    limits = commands.add_parser(
        "limits", help="define action limits and list their breaches",
        description="Action limits bound what a model does per window, e.g. the share of positive actions per "
                    "hour. Without --add, --list or --remove: every breached window of the system's limits "
                    "(window, model, value, limit, unit and meaning). An action is positive when its text is "
                    "'true' or 'yes' (any case), a number other than 0, or the --positive value. Adding or "
                    "removing a limit re-runs the monitoring analysis with the system's defaults and records its "
                    "findings; so does listing the breaches without --model.",
        epilog="examples:  mldebt limits --system churn --add positive_share --per hour --at-most 0.35\n"
               "           mldebt limits --system churn --model v2 --add mean_prediction --per day "
               "--at-least 0.1 --at-most 0.4\n"
               "           mldebt limits --system churn --add positive_actions --per day --at-most 500 "
               "--positive offer",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system", "format"))
    limits.add_argument("--model", metavar="M", help="only this model's limits and rows (a new limit: only for M; "
                                                     "default: every model, each judged on its own)")
    action = limits.add_mutually_exclusive_group()
    action.add_argument("--add", metavar="METRIC", help=f"store a new limit on METRIC: {METRIC_HELP}")
    action.add_argument("--list", action="store_true", help="list the limits with their unit and meaning")
    action.add_argument("--remove", type=int, metavar="ID", help="delete the limit with this id (see --list)")
    limits.add_argument("--per", choices=WINDOWS, help="the window of a new limit (UTC)")
    limits.add_argument("--at-most", type=float, metavar="X", help="a new limit's upper bound")
    limits.add_argument("--at-least", type=float, metavar="X", help="a new limit's lower bound")
    limits.add_argument("--positive", metavar="VALUE",
                        help="an action text a new limit also counts as positive, e.g. 'offer'")
    limits.set_defaults(run=_limits)

    producers = commands.add_parser(
        "producers", help="health of the up-stream producers of the logged features",
        description="Per feature of the system's prediction log: null rate and out-of-range share per window "
                    "against a reference (the log's first days), flagged windows (nulls, sudden change, out of "
                    "range), freshness, and, for features linked to a scanned artifact, the models that source "
                    "feeds through the latest scan's lineage. Worst first. --link and --unlink re-run the "
                    "monitoring analysis with the system's defaults and record its findings; so does a run with "
                    "the defaults (no --model, --window, --reference-days).",
        parents=options("system", "model", "window", "format"))
    producers.add_argument("--reference-days", type=int, metavar="N",
                           help="the reference is the log's first N days (default: DriftSettings.reference_days)")
    producers.add_argument("--by", choices=["feature", "source", "window"], default="feature",
                           help="feature (default): one row per feature, worst first; source: one row per linked "
                                "source; window: one row per feature and window")
    producers.add_argument("--link", action="append", default=[], metavar="FEATURE=ARTIFACT",
                           help="declare that a scanned artifact (e.g. file:data/raw/calls.csv) produces FEATURE; "
                                "repeatable; kept for later runs")
    producers.add_argument("--unlink", action="append", default=[], metavar="FEATURE",
                           help="forget FEATURE's declared source; repeatable")
    producers.set_defaults(run=_producers)


def _limits(args) -> int:
    from mldebt_core.monitoring.limits import ActionLimit, limits_table, list_limits
    from mldebt_core.monitoring.view import MonitoringOptions
    from mldebt_core.usecases.monitoring import add_limit, remove_limit, run_monitoring

    new_limit_options = [args.per, args.at_most, args.at_least, args.positive]
    if args.add is None and any(option is not None for option in new_limit_options):
        raise MldebtError("--per, --at-most, --at-least and --positive describe a new limit: use them with --add")
    with open_store(args) as store:
        if args.add is not None:
            if args.per is None:
                raise MldebtError("--add needs --per hour, day or week: the window the limit applies to")
            limit = add_limit(store, args.system, ActionLimit(args.add, args.per, args.at_least, args.at_most,
                                                              args.model, args.positive))
            write_frame(limits_table([limit]), args.format)
        elif args.remove is not None:
            write_frame(limits_table([remove_limit(store, args.system, args.remove)]), args.format)
        elif args.list:
            write_frame(limits_table(list_limits(store, args.system, args.model)), args.format)
        else:
            run = run_monitoring(store, args.system, MonitoringOptions(args.model))
            write_frame(run.view.breaches, args.format)
            tell_recorded(args.system, run.recorded)
    return 0


def _producers(args) -> int:
    from mldebt_core.monitoring.reference import Reference
    from mldebt_core.monitoring.view import MonitoringOptions
    from mldebt_core.usecases.monitoring import link_sources, run_monitoring

    links = {**dict(_feature_link(text) for text in args.link), **dict.fromkeys(args.unlink)}
    with open_store(args) as store:
        for recorded in link_sources(store, args.system, links):
            tell(f"the feature sources changed: recorded the findings of {args.system}: {recorded.describe()}")
        run = run_monitoring(store, args.system,
                             MonitoringOptions(args.model, args.window, Reference(days=args.reference_days)))
    report = run.view.producers
    if args.by == "window":
        write_frame(report.windows, args.format)
    elif args.by == "source":
        write_frame(run.view.sources, args.format)
    else:  # the per-window series are for sparklines; --by window gives them as rows
        write_frame(report.health.drop(columns=["delivered_per_window", "null_rate_per_window"]), args.format)
    tell_recorded(args.system, run.recorded)
    return 0


def _feature_link(text: str) -> tuple[str, str]:
    feature, separator, artifact = text.partition("=")
    if not separator or not feature.strip() or not artifact.strip():
        raise MldebtError(f"--link {text}: expected FEATURE=ARTIFACT, e.g. support_calls=file:data/raw/calls.csv")
    return feature.strip(), artifact.strip()
