"""`mldebt ablate`: rank a feature table's features by what they contribute and what they cost (paper § 3)."""

import argparse
from pathlib import Path

from mldebt_core.ablation.choices import METHODS, METRIC_TASKS, MODELS, TASKS
from mldebt_core.commands.common import open_store, options, progress_bar, tell, tell_recorded, write_frame
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
                    "compared with the system's last run on the same table and target, features are matched "
                    "against the latest scan's lineage for their cost, and, with the default --method, --model "
                    "and --metric, its removals become the system's underutilized_data_dependency findings "
                    "(replacing the last default run's). Settings: AblationSettings (docs/ablation.md).",
        epilog="examples:  mldebt ablate data/samples/feature_table.csv --target malignant\n"
               "           mldebt ablate features.parquet --target churned --system churn --method drop "
               "--groups groups.json",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=options("quiet", "format"))
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
    ablate.set_defaults(run=_ablate)


def _ablate(args) -> int:
    from mldebt_core.ablation import persist
    from mldebt_core.ablation.run import AblationConfig
    from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS as settings
    from mldebt_core.store import Store
    from mldebt_core.store.db import MEMORY
    from mldebt_core.usecases.ablation import AblationRequest, run_ablation

    table = Path(args.table)
    groups = (_read(args.groups, settings.max_groups_bytes), Path(args.groups).name) if args.groups else None
    request = AblationRequest(table, table.name, args.target, args.task,
                              AblationConfig(args.method, args.model, args.metric), groups)
    with (open_store(args) if args.system else Store(MEMORY)) as store:  # DuckDB reads the table either way
        with progress_bar(args, "fit", "ablating") as progress:
            outcome = run_ablation(store, args.system, request, settings, progress)
        result = outcome.result
        frame = persist.features_frame(result)
        write_frame(frame if args.format == "json" else frame.assign(sources=frame["sources"].map("; ".join)),
                    args.format)
        if not args.quiet:
            tell(persist.headline(persist.run_record(result), len(result.removal.features)))
            if outcome.run_id is not None:
                _report_stored(store, args.system, outcome)
    return 0


def _report_stored(store, system: str, outcome) -> None:
    from mldebt_core.ablation import persist

    lineage = f"scan {outcome.scan_id}'s lineage" if outcome.scan_id is not None else \
        "no scan (costs are null rates only)"
    tell(f"stored ablation run {outcome.run_id} of system {system} (costs from {lineage})")
    tell_recorded(system, outcome.recorded)
    previous = persist.previous_run(store, outcome.run_id)
    if previous is not None:
        changes = persist.run_changes(store, outcome.run_id, previous)
        listed = "; ".join(f"{row.feature}: {row.change}" for row in changes.itertuples()) or "nothing"
        tell(f"since run {previous}: {listed}")


def _read(name: str, limit: int) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise MldebtError(f"{name}: no such file")
    if path.stat().st_size > limit:
        raise MldebtError(f"{name}: {path.stat().st_size:,} bytes; a groups file is limited to {limit:,} bytes "
                          f"(AblationSettings.max_groups_bytes)")
    return path.read_bytes()
