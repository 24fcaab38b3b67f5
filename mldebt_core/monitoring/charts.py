"""Plotly figures of the monitoring analyses, drawn by the Monitoring page (and testable without a browser).

Each takes an analysis's small result frame (one row per window, or per column and window) and returns a
figure; nothing here computes a statistic. The log's column and model names reach plotly through `plotly_text`
(plotly reads HTML in labels).
"""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mldebt_core.monitoring.bias import band_name
from mldebt_core.palette import ALERT, BASE, BASE_RGB
from mldebt_core.settings import DEFAULT_BIAS_SETTINGS, DEFAULT_DRIFT_SETTINGS, BiasSettings, DriftSettings
from mldebt_core.text_safety import plotly_text

_HEIGHT_PER_ROW = 26
"""pixels per heatmap row (one column of the log)"""


def bias_figure(bias) -> go.Figure:
    """Mean prediction and observed label mean per window; flagged windows marked on the label mean."""
    label = "label rate" if (bias["task"] == "classification").all() else "mean label"
    figure = go.Figure([
        go.Scatter(x=bias["window_start"], y=bias["mean_prediction"], name="mean prediction", mode="lines"),
        go.Scatter(x=bias["window_start"], y=bias["label_mean"], name=label, mode="lines"),
    ])
    flagged = bias[bias["flagged"]]
    figure.add_trace(go.Scatter(
        x=flagged["window_start"], y=flagged["label_mean"], name="bias flagged", mode="markers",
        marker={"color": ALERT, "size": 9, "symbol": "x"}, customdata=flagged["bias"],
        hovertemplate="%{x}<br>bias %{customdata:+.4f}<extra>flagged</extra>"))
    figure.update_layout(yaxis_title="prediction / outcome", hovermode="x unified", legend_orientation="h",
                         margin={"t": 10})
    return figure


def bands_figure(bias, settings: BiasSettings = DEFAULT_BIAS_SETTINGS) -> go.Figure:
    """The prediction's quantile bands per window: outer quantiles filled pairwise towards the median."""
    quantiles = sorted(settings.quantiles)
    figure = go.Figure()
    x = bias["window_start"]
    pairs = list(zip(quantiles, reversed(quantiles)))[:len(quantiles) // 2]
    for depth, (low, high) in enumerate(pairs):
        opacity = 0.15 + 0.2 * depth
        figure.add_trace(go.Scatter(x=x, y=bias[band_name(high)], mode="lines", line={"width": 0},
                                    showlegend=False, name=band_name(high)))
        figure.add_trace(go.Scatter(x=x, y=bias[band_name(low)], mode="lines", line={"width": 0}, fill="tonexty",
                                    fillcolor=f"rgba({BASE_RGB}, {opacity:.2f})",
                                    name=f"{band_name(low)}-{band_name(high)}"))
    if len(quantiles) % 2:
        middle = quantiles[len(quantiles) // 2]
        figure.add_trace(go.Scatter(x=x, y=bias[band_name(middle)], mode="lines", name=band_name(middle),
                                    line={"color": BASE}))
    figure.update_layout(yaxis_title="prediction", hovermode="x unified", legend_orientation="h",
                         margin={"t": 10})
    return figure


def drift_heatmap(windows, settings: DriftSettings = DEFAULT_DRIFT_SETTINGS) -> go.Figure:
    """PSI per column (rows: the prediction first, then the features) and window, with every statistic and the
    level on hover; the colour scale ends at twice the alert level, so alerts stand out."""
    windows = windows.assign(column=windows["column"].map(plotly_text),
                             reason=windows["reason"].map(plotly_text, na_action="ignore"))
    order = list(dict.fromkeys(windows.sort_values("role", key=lambda r: r != "prediction", kind="stable")["column"]))
    psi = windows.pivot(index="column", columns="window_start", values="psi").reindex(order)
    hover = (windows["column"] + " · " + windows["window_start"].dt.strftime("%Y-%m-%d %H:%M") + "<br>PSI "
             + windows["psi"].map("{:.3f}".format) + " · JS " + windows["js"].map("{:.3f}".format)
             + windows["wasserstein_std"].map(lambda v: "" if v != v else f" · W {v:.3f} sd")
             + "<br>" + windows["level"] + windows["reason"].map(lambda r: f": {r}" if r else ""))
    text = windows.assign(hover=hover).pivot(index="column", columns="window_start", values="hover").reindex(order)
    figure = go.Figure(go.Heatmap(z=psi.to_numpy(), x=list(psi.columns), y=order, text=text.to_numpy(),
                                  hovertemplate="%{text}<extra></extra>", colorscale="YlOrRd", zmin=0,
                                  zmax=2 * settings.psi_alert, colorbar={"title": "PSI"}))
    figure.update_layout(height=120 + _HEIGHT_PER_ROW * len(order), margin={"t": 10},
                         yaxis={"autorange": "reversed"})
    return figure


def limits_figure(evaluation) -> go.Figure:
    """One panel per limit: each model's value per window, the bounds dashed, breached windows marked."""
    limits = evaluation.drop_duplicates("limit_id")
    figure = make_subplots(rows=len(limits), cols=1, shared_xaxes=True, vertical_spacing=0.12,
                           subplot_titles=[plotly_text(f"#{row.limit_id}: {row.meaning}")
                                           for row in limits.itertuples()])
    for position, limit in enumerate(limits.itertuples(), start=1):
        mine = evaluation[evaluation["limit_id"] == limit.limit_id]
        for model, rows in mine.groupby("model", sort=True):
            figure.add_trace(go.Scatter(x=rows["window_start"], y=rows["value"], mode="lines", name=plotly_text(model),
                                        legendgroup=plotly_text(model), showlegend=position == 1), row=position, col=1)
        breached = mine[mine["breached"].astype(bool)]
        figure.add_trace(go.Scatter(
            x=breached["window_start"], y=breached["value"], mode="markers", name="breach", legendgroup="breach",
            showlegend=position == 1, marker={"color": ALERT, "size": 9, "symbol": "x"},
            customdata=breached["model"].map(plotly_text),
            hovertemplate="%{x}<br>%{customdata}: %{y:.4g}<extra>breach</extra>"),
            row=position, col=1)
        for bound in (limit.lower, limit.upper):
            if bound == bound and bound is not None:
                figure.add_hline(y=bound, line_dash="dash", line_color=ALERT, row=position, col=1)
        figure.update_yaxes(title_text=plotly_text(limit.unit), row=position, col=1)
    height = 100 + 220 * len(limits)
    figure.update_layout(height=height, margin={"t": 40, "b": 80}, legend={"orientation": "h", "yanchor": "top",
                                                                         "y": -65 / height})
    return figure
