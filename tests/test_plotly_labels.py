"""Names from a repository or a log reach plotly as text: plotly reads `<a href>`, `<b>` and `<br>` in labels, so a
name carrying them must arrive escaped in every axis, legend, hover and title (tested on every figure that shows
such names)."""

import dataclasses
import re

import pandas as pd
import pytest

from mldebt_core import charts
from mldebt_core.ablation.charts import cluster_heatmap, contribution_chart, cost_benefit_chart
from mldebt_core.monitoring.charts import drift_heatmap, limits_figure
from tests.ablation.test_charts import RUN, features

LINK = '<a href="https://evil.example">R</a>'
ESCAPED = '&lt;a href="https://evil.example"&gt;R&lt;/a&gt;'
TEMPLATE_TAGS = re.compile(r"</?(br|extra)>")
"""the only tags a figure may hold: those of the figures' own hover templates"""


def strings(node) -> list[str]:
    """Every string anywhere in a figure's JSON."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, (list, tuple)):
        return [s for value in node for s in strings(value)]
    if hasattr(node, "tolist"):
        return strings(node.tolist())
    return []


def assert_shown_as_text(figure) -> None:
    shown = strings(figure.to_plotly_json())
    assert [s for s in shown if "<" in TEMPLATE_TAGS.sub("", s)] == []
    assert any(ESCAPED in s for s in shown)


def test_scan_overview_figures():
    assert_shown_as_text(charts.languages_figure(pd.DataFrame({"language": [LINK, "Python"], "lines": [3, 5],
                                                               "files": [1, 2]})))
    assert_shown_as_text(charts.kinds_figure(pd.DataFrame({"title": [LINK], "findings": [2], "severity": ["high"]})))
    assert_shown_as_text(charts.sections_figure(pd.DataFrame({"section": [LINK], "findings": [2]})))
    assert_shown_as_text(charts.trend_figure(pd.DataFrame({"scan": [1, 2], "findings": [2, 3], "kind": [LINK] * 2})))


def test_drift_heatmap_of_a_hostile_column():
    windows = pd.DataFrame({"column": [LINK, "prediction"], "role": ["feature", "prediction"],
                            "window_start": pd.to_datetime(["2026-03-02"] * 2), "psi": [0.3, 0.01],
                            "js": [0.1, 0.0], "wasserstein_std": [float("nan")] * 2, "level": ["alert", "ok"],
                            "reason": [f"psi of {LINK} > 0.2", ""]})
    assert_shown_as_text(drift_heatmap(windows))


def test_limits_of_a_hostile_model_and_column():
    evaluation = pd.DataFrame({"limit_id": [1, 1], "meaning": [f"null share of {LINK}"] * 2, "model": [LINK] * 2,
                               "window_start": pd.to_datetime(["2026-03-02", "2026-03-03"]), "value": [0.1, 0.5],
                               "breached": [False, True], "lower": [None] * 2, "upper": [0.3] * 2,
                               "unit": ["share"] * 2})
    assert_shown_as_text(limits_figure(evaluation))


@pytest.mark.parametrize("chart", [contribution_chart, cluster_heatmap, cost_benefit_chart])
def test_ablation_figures_of_a_hostile_feature(chart):
    hostile = features().assign(feature=lambda f: f["feature"].replace("a", LINK),
                                reason=f"kept: {LINK} carries signal")
    spearman = {**RUN.spearman, "features": [LINK if n == "a" else n for n in RUN.spearman["features"]]}
    assert_shown_as_text(chart(dataclasses.replace(RUN, spearman=spearman), hostile))
