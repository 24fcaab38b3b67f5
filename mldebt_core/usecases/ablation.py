"""The feature-ablation use case: a table in (a file, or an upload's bytes), a ranked result out; for a system,
the run stored and, with the default method, model and metric, its removals recorded as findings."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mldebt_core.ablation.engine import Cancel, Progress
from mldebt_core.ablation.groups import parse_groups_file
from mldebt_core.ablation.lineage import feature_costs
from mldebt_core.ablation.persist import SOURCE, findings, save_run
from mldebt_core.ablation.run import AblationConfig, AblationResult, ablate
from mldebt_core.ablation.table import load_table, table_file
from mldebt_core.settings import DEFAULT_ABLATION_SETTINGS, AblationSettings
from mldebt_core.store import Store, queries
from mldebt_core.usecases.findings import Recorded, record


@dataclass(frozen=True)
class AblationRequest:
    """What the user gave: a feature table, the target, options, and an optional groups file."""

    table: Path | bytes
    """a CSV or Parquet file, or an upload's bytes"""
    name: str
    """the table's file name, as the user knows it"""
    target: str
    task: str | None = None
    """None: from the target's values"""
    config: AblationConfig = field(default_factory=AblationConfig)
    groups: tuple[bytes, str] | None = None
    """(bytes, file name) of a groups file"""


@dataclass(frozen=True, eq=False)
class AblationOutcome:
    result: AblationResult
    run_id: int | None
    """None: no system given, nothing stored"""
    scan_id: int | None
    """the scan whose lineage gave the features' costs"""
    recorded: Recorded | None
    """None: not stored, or not a run with the defaults"""


def run_ablation(store: Store, system: str | None, request: AblationRequest,
                 settings: AblationSettings = DEFAULT_ABLATION_SETTINGS, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> AblationOutcome:
    """Load and check the table, ablate it (costs from `system`'s latest scan), and store the run for `system`
    (None: store nothing)."""
    with _table_path(request, settings) as path:
        table = load_table(store, path, request.target, request.task, request.name, settings)
    groups = parse_groups_file(*request.groups, table.features, settings) if request.groups else []
    scan_id = queries.latest_scan(store, system) if system is not None else None
    result = ablate(table, request.config, feature_costs(store, scan_id, table.features, system), groups, settings,
                    progress, cancel)
    if system is None:
        return AblationOutcome(result, None, None, None)
    run_id = save_run(store, system, result, scan_id)
    recorded = record(store, system, SOURCE, findings(result, run_id), request.config.is_default(table.task))
    return AblationOutcome(result, run_id, scan_id, recorded)


@contextmanager
def _table_path(request: AblationRequest, settings: AblationSettings) -> Iterator[Path]:
    if isinstance(request.table, bytes):
        with table_file(request.table, request.name, settings) as path:
            yield path
    else:
        yield request.table
