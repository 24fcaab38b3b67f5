"""`mldebt ablate`: rank a feature table's features by what they contribute and what they cost (paper § 3)."""

import argparse
import sys
from pathlib import Path

from mldebt_core.ablation.choices import METHODS, METRIC_TASKS, MODELS, TASKS
from mldebt_core.commands.common import ProgressBar, add_format_argument, open_store, write_frame
from mldebt_core.errors import MldebtError


def add_commands(commands) -> None:
    ablate = commands.add_parser(
        "ablate", help="rank a feature table's features; find the ones to remove",
        description="Cross-validate a model on TABLE (CSV or Parquet) predicting --target, then measure what each "
                    "feature, each group of features (a shared name prefix, a --groups file, a shared upstream "
                    "source) and the recommended removal set is worth. Weak features are classed legacy, "
                    "correlated, bundled or epsilon, with the numbers behind each verdict; the removal set is "
                    "checked by one retrain without it. Prints one row per feature, best first; the verdict on "
                    "the removal set goes to stderr. With --system, the run is stored with its settings, "
                    "compared with the system's last run on the same table and target, its removals become "
                    "underutilized_data_dependency findings, and features are matched against the latest "
                    "scan's lineage for their cost. Settings: AblationSettings (docs/ablation.md).",
        epilog="examples:  mldebt ablate data/samples/feature_table.csv --target malignant\n"
               "           mldebt ablate features.parquet --target churned --system churn --method drop "
               "--groups groups.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ablate.add_argument("table", metavar="TABLE", help="the feature table: CSV with a header row, or Parquet")
    ablate.add_argument("--target", required=True, metavar="COL", help="the column the model predicts")
    ablate.add_argument("--system", metavar="NAME",
                        help="store the run under this system and use its latest scan for costs (default: "
                             "print only, store nothing)")
    ablate.add_argument("--method", choices=list(METHODS), default="both",
                        help="; ".join(f"{name}: {meaning}" for name, meaning in METHODS.items()))
    ablate.add_argument("--groups", metavar="FILE",
                        help="bundles of features to remove together: JSON {\"group\": [\"feature\", ...]} or CSV "
                             "with columns feature,group")
    ablate.add_argument("--task", choices=TASKS,
                        help="default: classification for text, boolean or whole-number targets with few values, "
                             "else regression")
    ablate.add_argument("--model", choices=list(MODELS), default="hgb",
                        help="; ".join(f"{name}: {meaning}" for name, meaning in MODELS.items()))
    ablate.add_argument("--metric", choices=list(METRIC_TASKS),
                        help="roc_auc or log_loss for classification, r2 or rmse for regression (default: roc_auc, "
                             "r2)")
    ablate.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary on stderr")
    add_format_argument(ablate)
    ablate.set_defaults(run=_ablate)


def _ablate(args) -> int:
    from mldebt_core.ablation import persist
    from mldebt_core.ablation.groups import parse_groups_file
    from mldebt_core.ablation.lineage import feature_costs
    from mldebt_core.ablation.run import AblationConfig, run_ablation
    from mldebt_core.ablation.table import load_table
    from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS as settings
    from mldebt_core.store import Store, queries
    from mldebt_core.store.db import MEMORY

    with (open_store(args) if args.system else Store(MEMORY)) as store:
        table = load_table(store, Path(args.table), args.target, args.task, settings=settings)
        groups = parse_groups_file(_read(args.groups, settings.max_groups_bytes), Path(args.groups).name,
                                   table.features, settings) if args.groups else []
        scan_id = queries.latest_scan(store, args.system) if args.system else None
        costs = feature_costs(store, scan_id, table.features, args.system)
        with ProgressBar(not args.quiet and sys.stderr.isatty(), "fit", "ablating") as progress:
            result = run_ablation(table, AblationConfig(args.method, args.model, args.metric), costs, groups,
                                  settings, progress)
        frame = persist.features_frame(result)
        write_frame(frame if args.format == "json" else frame.assign(sources=frame["sources"].map("; ".join)),
                    args.format)
        if not args.quiet:
            print(f"mldebt: {persist.headline(persist.run_row(result), len(result.removal.features))}",
                  file=sys.stderr)
        if args.system:
            run_id = persist.save_run(store, args.system, result, scan_id)
            if not args.quiet:
                _report_stored(store, args.system, run_id, scan_id, result)
    return 0


def _report_stored(store, system: str, run_id: int, scan_id: int | None, result) -> None:
    from mldebt_core.ablation import persist

    lineage = f"scan {scan_id}'s lineage" if scan_id is not None else "no scan (costs are null rates only)"
    print(f"mldebt: stored ablation run {run_id} of system {system} (costs from {lineage}); "
          f"{len(result.removal.features)} underutilized_data_dependency findings", file=sys.stderr)
    previous = persist.previous_run(store, run_id)
    if previous is not None:
        changes = persist.run_changes(store, run_id, previous)
        listed = "; ".join(f"{row.feature}: {row.change}" for row in changes.itertuples()) or "nothing"
        print(f"mldebt: since run {previous}: {listed}", file=sys.stderr)


def _read(name: str, limit: int) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise MldebtError(f"{name}: no such file")
    if path.stat().st_size > limit:
        raise MldebtError(f"{name}: {path.stat().st_size:,} bytes; a groups file is limited to {limit:,} bytes "
                          f"(AblationSettings.max_groups_bytes)")
    return path.read_bytes()
