"""Plotly figures of a stored ablation run (from the frames of `persist`): the pages only place them. Feature
names and reasons come from the user's table: they reach plotly through `plotly_text`."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mldebt_core.ablation.metrics import METRICS
from mldebt_core.ablation.persist import AblationRun
from mldebt_core.palette import VERDICTS
from mldebt_core.text_safety import plotly_text


def verdict(features: pd.DataFrame) -> pd.Series:
    """The label each feature is drawn with: its class, else 'driver' or 'stays'."""
    return features["classification"].where(features["classification"].notna(),
                                            np.where(features["driver"], "driver", "stays"))


def contribution_chart(run: AblationRun, features: pd.DataFrame) -> go.Figure:
    """Each feature's benefit with its interval across folds, best at the top, coloured by verdict."""
    measure = "permutation" if run.method == "permutation" else "drop"
    frame = _labelled(features).sort_values("rank", ascending=False)
    figure = go.Figure()
    for label, rows in frame.groupby("verdict", sort=False):
        figure.add_bar(
            x=rows["benefit"], y=rows["feature"], orientation="h", name=label, marker_color=VERDICTS[label],
            error_x={"type": "data", "symmetric": False, "array": rows[f"{measure}_high"] - rows["benefit"],
                     "arrayminus": rows["benefit"] - rows[f"{measure}_low"]},
            customdata=rows[["reason"]], hovertemplate="%{y}: %{x:.4g}<br>%{customdata[0]}<extra></extra>")
    figure.add_vline(x=run.epsilon, line_dash="dot", annotation_text="ε")
    figure.update_layout(barmode="overlay", height=max(300, 22 * len(frame) + 120),
                         yaxis={"categoryorder": "array", "categoryarray": list(frame["feature"])},
                         xaxis_title=f"{METRICS[run.metric].title} lost without the feature ({measure})",
                         legend_title="verdict", margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return figure


def cluster_heatmap(run: AblationRun, features: pd.DataFrame) -> go.Figure:
    """|Spearman ρ| between the clustered features, cluster by cluster (all features when none cluster)."""
    names = run.spearman["features"]
    rho = np.abs(np.asarray(run.spearman["rho"]))
    clustered = features.dropna(subset=["cluster"]).sort_values(["cluster", "rank"])
    shown = list(clustered["feature"]) or names
    index = [names.index(n) for n in shown]
    labels = [plotly_text(name) for name in shown]
    figure = go.Figure(go.Heatmap(z=rho[np.ix_(index, index)], x=labels, y=labels, zmin=0, zmax=1,
                                  colorscale="Blues", colorbar={"title": "|ρ|"},
                                  hovertemplate="%{y} · %{x}: |ρ| %{z:.2f}<extra></extra>"))
    figure.update_layout(height=max(300, 24 * len(shown) + 150), yaxis={"autorange": "reversed"},
                         margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return figure


def cost_benefit_chart(run: AblationRun, features: pd.DataFrame) -> go.Figure:
    """Benefit against upstream cost; the recommended removal set drawn with a thick outline."""
    frame = _labelled(features)
    figure = go.Figure()
    for label, rows in frame.groupby("verdict", sort=False):
        figure.add_scatter(
            x=rows["cost"], y=rows["benefit"], mode="markers", name=label, text=rows["feature"],
            marker={"color": VERDICTS[label], "size": 12,
                    "line": {"color": "black", "width": np.where(rows["recommended"], 3, 0)}},
            customdata=rows[["reason"]], hovertemplate="%{text}<br>cost %{x:.1f}, benefit %{y:.4g}<br>"
                                                       "%{customdata[0]}<extra></extra>")
    figure.add_hline(y=run.epsilon, line_dash="dot", annotation_text="ε")
    figure.update_layout(xaxis_title="cost (points: upstream artifacts, code paths, unstable sources, nulls)",
                         yaxis_title=f"benefit ({METRICS[run.metric].title})", legend_title="verdict",
                         height=450, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return figure


def _labelled(features: pd.DataFrame) -> pd.DataFrame:
    """The features with their verdict, and their names and reasons as plotly must get them."""
    return features.assign(verdict=verdict(features), feature=features["feature"].map(plotly_text),
                           reason=features["reason"].map(plotly_text, na_action="ignore"))
