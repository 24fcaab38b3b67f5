"""What each feature costs upstream, from a scan's lineage: its sources, their producers, their instability.

The scan knows files, tables and URLs, not columns, so a feature is matched to an artifact by name
(see docs/ablation.md, "Cost"): a feature named after an artifact (`events_clicks_7d` and
`data/interim/events.parquet`: the name is the artifact's file stem, or starts with it and a
separator), or named as a word in the code expression that reads an artifact
(`SELECT customer_id, seats FROM analytics.customer_snapshot`). Names are compared in lower case,
non-alphanumerics as `_`, and only from three characters on (`id` or `x` would match anything). A link the
user declared for the system (`mldebt producers --link FEATURE=ARTIFACT`, table `feature_sources`) names a
source too, whatever the names.
"""

from dataclasses import dataclass

from mldebt_core.store import Store

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
    rows = store.query(_COSTS, {"scan": scan_id, "features": list(features), "min_name": _MIN_NAME,
                                "system": system})
    for feature, sources, upstream, code, unstable in rows:
        costs[feature] = FeatureCost(tuple(sources), upstream, code, unstable)
    return costs


_COSTS = r"""
WITH features AS (
    SELECT feature, lower(regexp_replace(feature, '[^A-Za-z0-9]+', '_', 'g')) AS key
    FROM (SELECT unnest($features::VARCHAR[]) AS feature)),
artifact AS (
    SELECT id, upstream, coalesce(writers, []) || coalesce(upstream_code, []) AS code,
        lower(regexp_replace(CASE WHEN kind = 'table' THEN string_split(location, '.')[-1]
                                  ELSE regexp_replace(regexp_extract(location, '[^/]+$'), '\..*$', '') END,
                             '[^A-Za-z0-9]+', '_', 'g')) AS stem
    FROM artifacts WHERE scan_id = $scan),
source AS (
    SELECT f.feature, a.id FROM features f JOIN artifact a
        ON length(a.stem) >= $min_name AND (f.key = a.stem OR starts_with(f.key, a.stem || '_'))
    UNION
    SELECT f.feature, d.artifact FROM features f JOIN data_accesses d
        ON d.scan_id = $scan AND d.artifact IS NOT NULL AND length(f.key) >= $min_name
        AND list_contains(regexp_split_to_array(lower(d.expression), '[^a-z0-9_]+'), f.key)
    UNION
    SELECT f.feature, l.artifact FROM features f JOIN feature_sources l ON l.system = $system AND l.feature = f.feature),
reach AS (
    SELECT s.feature, unnest(list_append(coalesce(a.upstream, []), s.id)) AS artifact, a.code
    FROM source s JOIN artifact a ON a.id = s.id),
unstable AS (
    SELECT DISTINCT json_extract_string(evidence, '$.artifact') AS artifact
    FROM findings WHERE scan_id = $scan AND kind = 'unstable_data_dependency')
SELECT r.feature,
    (SELECT list(DISTINCT s.id ORDER BY s.id) FROM source s WHERE s.feature = r.feature) AS sources,
    count(DISTINCT r.artifact) AS upstream,
    (SELECT count(DISTINCT c) FROM (SELECT unnest(code) AS c FROM reach x WHERE x.feature = r.feature)) AS code,
    count(DISTINCT r.artifact) FILTER (WHERE r.artifact IN (SELECT artifact FROM unstable)) AS unstable
FROM reach r GROUP BY r.feature
"""
