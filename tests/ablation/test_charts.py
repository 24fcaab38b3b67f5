"""The page's figures from a stored run's frames: every verdict has its colour, intervals and ε are drawn, the
heatmap shows the clustered features, the removal set is outlined."""

import numpy as np
import pandas as pd

from mldebt_core.ablation.charts import cluster_heatmap, contribution_chart, cost_benefit_chart, verdict
from mldebt_core.ablation.classify import CLASSES
from mldebt_core.ablation.persist import FEATURE_COLUMNS, AblationRun
from mldebt_core.palette import VERDICTS

RUN = AblationRun(
    table_name="t.csv", table_sha256="0" * 64, target="y", task="classification", model="hgb", metric="roc_auc",
    method="both", row_count=100, baseline=0.9, baseline_low=0.89, baseline_high=0.91, epsilon=0.003,
    predicted_score=0.9, verified_score=0.9, verified_low=0.89, verified_high=0.91, confirmed=True,
    rank_agreement=0.8, fits=10, seconds=1.0, settings={},
    spearman={"features": ["a", "a_copy", "b", "noise"],
              "rho": [[1, 0.99, 0.1, 0], [0.99, 1, 0.1, 0], [0.1, 0.1, 1, 0], [0, 0, 0, 1]]})


def features() -> pd.DataFrame:
    rows = [(1, "a", None, False, 0.05, 1, True, 2.0), (2, "b", None, False, 0.01, None, False, 0.0),
            (3, "a_copy", "legacy", True, 0.0, 1, False, 7.0), (4, "noise", "epsilon", True, -0.001, None, False, 0.0)]
    frame = pd.DataFrame([{column: None for column in FEATURE_COLUMNS} | {
        "rank": r, "feature": f, "classification": c, "recommended": rec, "benefit": b, "drop_loss": b,
        "drop_low": b - 0.01, "drop_high": b + 0.02, "cluster": cl, "driver": d, "cost": cost}
        for r, f, c, rec, b, cl, d, cost in rows])
    return frame.astype({"cluster": "Int32"})


def test_every_verdict_has_a_colour():
    assert set(VERDICTS) == {"stays", "driver", *CLASSES}
    assert list(verdict(features())) == ["driver", "stays", "legacy", "epsilon"]


def test_the_contribution_chart_draws_intervals_best_on_top_and_epsilon():
    figure = contribution_chart(RUN, features())
    bars = {bar.name: bar for bar in figure.data}
    assert set(bars) == {"driver", "stays", "legacy", "epsilon"}
    assert np.allclose(bars["driver"].error_x.array, [0.02]) and np.allclose(bars["driver"].error_x.arrayminus, [0.01])
    assert figure.layout.yaxis.categoryarray == ("noise", "a_copy", "b", "a")  # plotly draws bottom-up
    assert figure.layout.shapes[0].x0 == 0.003 and "ROC AUC lost" in figure.layout.xaxis.title.text


def test_the_heatmap_shows_clustered_features_and_the_scatter_outlines_the_removal_set():
    heat = cluster_heatmap(RUN, features()).data[0]
    assert list(heat.x) == ["a", "a_copy"] and np.allclose(heat.z, [[1, 0.99], [0.99, 1]])
    scatter = {trace.name: trace for trace in cost_benefit_chart(RUN, features()).data}
    assert list(scatter["legacy"].marker.line.width) == [3] and list(scatter["stays"].marker.line.width) == [0]
    assert list(scatter["legacy"].x) == [7.0]
