"""What each feature costs upstream, from a scan's lineage: its sources, their producers, their instability.

The scan knows files, tables and URLs, not columns, so a feature is matched to an artifact by name
(see docs/ablation.md, "Cost"): a feature named after an artifact (`events_clicks_7d` and
`data/interim/events.parquet`: the name is the artifact's file stem, or starts with it and a
separator), or named as a word in the code expression that reads an artifact
(`SELECT customer_id, seats FROM analytics.customer_snapshot`). Names are compared in lower case,
non-alphanumerics as `_`, and only from three characters on (`id` or `x` would match anything). A link the
user declared for the system (`mldebt producers --link FEATURE=ARTIFACT`, table `feature_sources`) names a
source too, whatever the names. The matching runs in DuckDB, in `store.scan_rows.feature_cost_rows`, the one
reader of a stored scan's rows.
"""

from dataclasses import dataclass

from mldebt_core.store import Store
from mldebt_core.store.scan_rows import feature_cost_rows

_MIN_NAME = 3  # characters: shorter names and stems are too common to say where a feature comes from


@dataclass(frozen=True)
class FeatureCost:
    sources: tuple[str, ...] = ()
    """artifact ids the feature is read from"""
    upstream_artifacts: int = 0
    """its sources and every artifact upstream of them"""
    code_paths: int = 0
    """code files that write its sources or anything upstream of them"""
    unstable_sources: int = 0
    """of the upstream artifacts, those with an `unstable_data_dependency` finding"""


def feature_costs(store: Store, scan_id: int | None, features: tuple[str, ...],
                  system: str | None = None) -> dict[str, FeatureCost]:
    """Cost of every feature by the scan's lineage (and `system`'s declared feature sources); features matching
    nothing (or no scan) cost nothing upstream."""
    costs = {feature: FeatureCost() for feature in features}
    if scan_id is None:
        return costs
    for row in feature_cost_rows(store, scan_id, features, system, _MIN_NAME):
        costs[row.feature] = FeatureCost(row.sources, row.upstream_artifacts, row.code_paths, row.unstable_sources)
    return costs
