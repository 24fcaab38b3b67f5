"""Clusters of correlated features, by |Spearman ρ| and average-linkage hierarchical clustering."""

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform


def find_clusters(spearman: np.ndarray, min_rho: float) -> list[tuple[int, ...]]:
    """Clusters of two or more features (column indices) whose mean |ρ| with each other is at least `min_rho`.

    Average linkage on the distance 1 − |ρ|, cut at 1 − min_rho: two clusters merge while the mean
    |ρ| over all pairs across them stays at or above `min_rho`. Ordered by their first feature.
    """
    if len(spearman) < 2:
        return []
    distance = np.clip(1 - np.abs(spearman), 0, 1)
    np.fill_diagonal(distance, 0)
    labels = fcluster(linkage(squareform(distance, checks=False), method="average"), t=1 - min_rho,
                      criterion="distance")
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    return sorted((tuple(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])
