"""`mldebt ingest-log` and `mldebt simulate-log`: prediction logs into the store, and the sample log's simulator."""

import argparse
from pathlib import Path

from mldebt_core.commands.common import open_store, options, progress_bar, tell
from mldebt_core.errors import MldebtError

ROLE_HELP = ("timestamp, prediction (both required), model, segment, label, action (one column each), numeric, "
             "categorical (features), feature (a feature, kind from the column's type), ignore")


def add_commands(commands) -> None:
    ingest = commands.add_parser(
        "ingest-log", help="store prediction log files (CSV, Parquet, JSON Lines; gzip too) for a system",
        description="Append prediction log files to a system's log in the database (see --db), all in one "
                    "transaction: a refused file leaves the database as it was and the one-line error names the "
                    "file, the column and an example row. Roles are detected from column names and types; "
                    "--map overrides them (--dry-run shows them). A file whose content is already stored for "
                    "the system adds nothing; appended files must have the stored features (names and kinds). "
                    "Timestamps with a time zone are converted to UTC; those without are taken as UTC. New rows "
                    "re-run the log analyses (monitoring, feedback loops) with the system's defaults and record "
                    "their findings.",
        epilog="examples:  mldebt ingest-log logs/2026-03-*.csv.gz --system churn\n"
               "           mldebt ingest-log preds.parquet --system churn --map score=prediction --map id=ignore",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("system", "quiet"))
    ingest.add_argument("files", nargs="+", metavar="FILE",
                        help="log files: .csv, .tsv, .parquet, .jsonl, .ndjson, .json (.csv.gz, .jsonl.gz, ...)")
    ingest.add_argument("--map", action="append", default=[], metavar="COLUMN=ROLE",
                        help=f"give COLUMN this role (repeatable); roles: {ROLE_HELP}")
    ingest.add_argument("--dry-run", action="store_true",
                        help="print each file's columns with the role they would get, and write nothing")
    ingest.set_defaults(run=_ingest_log)

    simulate = commands.add_parser(
        "simulate-log", help="write the deterministic simulated prediction log (the sample's) as Parquet",
        description="Write a simulated churn-model prediction log (timestamp, model, segment, features, prediction, "
                    "label, action) with the planted episodes of the sample system: drift in monthly_spend and "
                    "plan, a broken producer (support_calls), an action-limit breach and a feedback loop in the "
                    "treatment segment (see docs/monitoring.md). The same options give the same bytes. "
                    "data/samples/predictions.parquet is `mldebt simulate-log data/samples/predictions.parquet`.")
    simulate.add_argument("output", metavar="OUT", help="the Parquet file to write")
    simulate.add_argument("--seed", type=int, metavar="N", help="random seed (default: the sample's, 20260301)")
    simulate.add_argument("--days", type=int, metavar="N",
                          help="days of log (default 42; episodes past the last day are cut off)")
    simulate.add_argument("--rows-per-day", type=int, metavar="N", help="rows per day (default 6000)")
    simulate.add_argument("--clean", action="store_true",
                          help="no planted episodes: the same rows without drift, breakage, breach or loop")
    simulate.set_defaults(run=_simulate_log)


def _ingest_log(args) -> int:
    from mldebt_core.logs.ingest import preview_log
    from mldebt_core.logs.roles import parse_mapping, resolve_roles
    from mldebt_core.usecases.logs import store_log

    overrides = parse_mapping(args.map)
    with open_store(args) as store:
        if args.dry_run:
            for name in args.files:
                preview = preview_log(store, name)
                roles = resolve_roles(preview.columns, overrides, name)
                print(f"{name} ({preview.format}):")
                for column in preview.columns:
                    print(f"  {column.name!r:24} {column.type:26} {roles[column.name]}")
            return 0
        with progress_bar(args, "%", "storing") as progress:
            stored = store_log(store, args.system, args.files, overrides, progress=progress)
    if not args.quiet:
        result = stored.ingest
        for file in result.files:
            if file.duplicate:
                tell(f"{file.source} is already stored for system {result.system}; nothing added")
            else:
                tell(f"{file.source}: added {file.rows:,} rows ({file.first_ts} to {file.last_ts} UTC) to the log "
                     f"of system {result.system}")
        if stored.recorded:
            tell(f"recorded the findings of {result.system}: "
                 + "; ".join(recorded.describe() for recorded in stored.recorded))
    return 0


def _simulate_log(args) -> int:
    from dataclasses import replace

    from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log

    changes = {key: value for key, value in (("seed", args.seed), ("days", args.days),
                                             ("rows_per_day", args.rows_per_day)) if value is not None}
    for option, value in (("--days", args.days), ("--rows-per-day", args.rows_per_day)):
        if value is not None and value < 1:
            raise MldebtError(f"{option} {value}: expected a whole number of at least 1")
    spec = replace(SAMPLE_SPEC, **changes)
    spec = spec.clean() if args.clean else spec
    output = Path(args.output)
    if output.is_dir():
        raise MldebtError(f"{output}: is a directory; OUT must be a file name")
    if not output.parent.is_dir():
        raise MldebtError(f"{output}: folder {output.parent} does not exist")
    simulate_log(spec, output)
    tell(f"wrote {output}: {spec.rows:,} rows over {spec.days} days from {spec.start} (seed {spec.seed}"
         f"{', clean' if args.clean else ''})")
    return 0
