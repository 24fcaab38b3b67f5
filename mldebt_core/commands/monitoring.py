"""`mldebt drift` and `mldebt bias`: drift against a reference and prediction bias of a prediction log (paper § 7)."""

import argparse
from datetime import datetime, timezone

from mldebt_core.commands.common import open_store, options, tell, tell_recorded, write_frame
from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS

RECORDING = ("Run with the defaults (no --model, --window, reference or --adaptive), the whole monitoring "
             "analysis's findings (drift, bias, limits, producers) replace the system's earlier ones.")


def add_commands(commands) -> None:
    drift = commands.add_parser(
        "drift", help="drift of the prediction and every feature against a reference",
        description="Per window, compare the prediction and every feature of a system's log with a reference: "
                    "population stability index (PSI) over the reference's quantile bins (categories for "
                    "categorical features), Jensen-Shannon distance, and for numeric columns the "
                    "Kolmogorov-Smirnov statistic with its p-value (context only) and the Wasserstein distance "
                    "(also in reference standard deviations); new and vanished categories. Each row gets a level "
                    "ok/warn/alert from the effect sizes (PSI, JS, Wasserstein) against the settings' levels "
                    "(PSI 0.1 warn / 0.25 alert, ...) or, with --adaptive, against mean + 3 sigma of the same "
                    "statistic over the windows inside the reference. Exact on logs of at most "
                    f"{DEFAULT_DRIFT_SETTINGS.exact_max_rows:,} rows, on a fine grid beyond (see docs/monitoring.md). "
                    + RECORDING,
        epilog="examples:  mldebt drift --system churn\n"
               "           mldebt drift --system churn --model churn-v2 --window week --reference 2026-03-01 "
               "2026-03-15\n"
               "           mldebt drift --system churn --reference-days 14 --save-profile spring\n"
               "           mldebt drift --system churn --reference-profile spring --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system", "model", "window", "format"))
    reference = drift.add_mutually_exclusive_group()
    reference.add_argument("--reference-days", type=int, metavar="N",
                           help="the reference is the log's first N days from midnight UTC (default: "
                                f"{DEFAULT_DRIFT_SETTINGS.reference_days})")
    reference.add_argument("--reference", nargs=2, metavar=("START", "END"),
                           help="the reference is START <= ts < END (UTC; dates like 2026-03-01 or date-times "
                                "like 2026-03-01T12:00)")
    reference.add_argument("--reference-profile", metavar="NAME",
                           help="compare with a reference profile stored earlier with --save-profile")
    drift.add_argument("--save-profile", metavar="NAME",
                       help="also store the reference (first days or range) as profile NAME, so later logs can be "
                            "compared with it after its rows are gone (replaces a profile of that name)")
    drift.add_argument("--adaptive", action="store_true",
                       help="alert levels from the windows inside the reference (mean + 3 sigma) instead of the "
                            "fixed levels")
    drift.set_defaults(run=_drift)

    bias = commands.add_parser(
        "bias", help="prediction bias: mean prediction against the observed labels per window",
        description="Per window: rows, labelled rows (labels may arrive late), mean prediction, and over the "
                    "labelled rows the label rate (classification) or mean label (regression), the bias (mean "
                    "prediction - label mean) and whether it exceeds the settings' level; the prediction's "
                    "quantile bands p05, p25, p50, p75, p95. With --calibration: mean prediction against label "
                    "mean per decile of the prediction over all labelled rows instead. " + RECORDING,
        epilog="examples:  mldebt bias --system churn\n"
               "           mldebt bias --system churn --model churn-v2 --window hour --format csv\n"
               "           mldebt bias --system churn --calibration",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system", "model", "window", "format"))
    bias.add_argument("--calibration", action="store_true",
                      help="the calibration table (per decile of the prediction) instead of the windows; records "
                           "nothing")
    bias.set_defaults(run=_bias)


def _drift(args) -> int:
    from mldebt_core.logs.table import require_log
    from mldebt_core.monitoring.profiles import save_profile
    from mldebt_core.monitoring.reference import Reference, resolve_reference
    from mldebt_core.monitoring.view import MonitoringOptions
    from mldebt_core.usecases.monitoring import run_monitoring

    if args.save_profile is not None and args.reference_profile is not None:
        raise MldebtError("--save-profile stores a period of the log; it cannot be combined with "
                          "--reference-profile")
    if args.reference_profile is not None:
        reference = Reference.stored(args.reference_profile)
    elif args.reference is not None:
        reference = Reference.between(*(_moment(value, "--reference") for value in args.reference))
    else:
        reference = Reference(days=args.reference_days)
    with open_store(args) as store:
        if args.save_profile is not None:
            schema = require_log(store, args.system)
            save_profile(store, schema, args.save_profile, resolve_reference(store, schema, reference, args.model))
            tell(f"saved reference profile {args.save_profile!r} of {args.system} ({reference.describe()})")
        run = run_monitoring(store, args.system, MonitoringOptions(args.model, args.window, reference, args.adaptive))
    report = run.view.drift
    windows = report.windows
    if args.format == "csv":
        for listed in ("new_categories", "vanished_categories"):
            windows[listed] = [None if v is None else "; ".join(v) for v in windows[listed]]
    write_frame(windows, args.format)
    period = report.period
    alerts = windows[windows["level"] == "alert"]
    tell(f"{args.system} against {reference.describe()} ({period.start:%Y-%m-%d %H:%M} to "
         f"{period.end:%Y-%m-%d %H:%M}, {period.rows:,} rows, {'exact' if report.exact else 'grid'} statistics, "
         f"{'adaptive' if args.adaptive else 'fixed'} levels): {len(alerts)} alert and "
         f"{int((windows['level'] == 'warn').sum())} warn window(s)"
         + (f" in {', '.join(sorted(alerts['column'].unique()))}" if len(alerts) else ""))
    tell_recorded(args.system, run.recorded)
    return 0


def _bias(args) -> int:
    from mldebt_core.logs.table import require_log
    from mldebt_core.monitoring.bias import calibration
    from mldebt_core.monitoring.view import MonitoringOptions
    from mldebt_core.usecases.monitoring import run_monitoring

    with open_store(args) as store:
        if args.calibration:
            write_frame(calibration(store, require_log(store, args.system), args.model), args.format)
            return 0
        run = run_monitoring(store, args.system, MonitoringOptions(args.model, args.window))
    frame = run.view.bias
    write_frame(frame, args.format)
    tell(f"{args.system} ({frame['task'].iloc[0]}): {int(frame['flagged'].sum())} of {len(frame)} "
         f"{args.window}(s) with prediction bias beyond the settings' level")
    tell_recorded(args.system, run.recorded)
    return 0


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MldebtError(f"{option}: expected a date like 2026-03-01 or a date-time like 2026-03-01T12:00, "
                          f"got {text!r}") from None
    # the log's ts is UTC without a time zone: a given offset is converted, none means UTC
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
