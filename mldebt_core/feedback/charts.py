"""Plotly figures of a feedback-loop report, drawn by the Feedback Loops page (and testable without a browser).

Each takes the report's per-window frame (`report.windows_frame`, one metric) and returns a figure; nothing here
computes a statistic.
"""

import pandas as pd
import plotly.graph_objects as go

from mldebt_core.feedback.detection import Detection
from mldebt_core.feedback.metrics import Metric
from mldebt_core.palette import SIDES
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS, FeedbackSettings

GAP = "treatment − holdout"


def sides_figure(frame: pd.DataFrame, metric: Metric, window: str,
                 settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> go.Figure:
    """The metric of the holdout and of the treatment per window, each with its interval as a band."""
    figure = go.Figure()
    for side in SIDES:
        _band(figure, frame, side, side, SIDES[side], settings)
    return figure.update_layout(title=f"{metric.title.capitalize()} per {window}", yaxis_title=metric.unit)


def gap_figure(frame: pd.DataFrame, metric: Metric, detection: Detection,
               settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> go.Figure:
    """The treatment − holdout gap with its interval, and when the detection estimates it opened."""
    figure = go.Figure()
    _band(figure, frame, "gap", GAP, SIDES["treatment"], settings)
    figure.add_hline(y=0, line={"color": "grey", "dash": "dot"})
    if detection.flagged:
        starts = list(frame["window_start"])
        for index, label, side in ((detection.start, "estimated start", "right"),
                                   (detection.first_flagged, "first flagged", "left")):
            figure.add_vline(x=starts[index], line={"dash": "dash"})
            figure.add_annotation(x=starts[index], y=1, yref="paper", text=label, showarrow=False, xanchor=side)
    return figure.update_layout(title="The gap and when it opened", yaxis_title=metric.unit)


def share_figure(frame: pd.DataFrame) -> go.Figure:
    """The holdout's share of the compared rows per window."""
    figure = go.Figure(go.Scatter(x=frame["window_start"], y=frame["holdout_share"], mode="lines+markers"))
    return figure.update_layout(title="Holdout share of rows", yaxis_tickformat=".1%")


def mde_figure(frame: pd.DataFrame, metric: Metric,
               settings: FeedbackSettings = DEFAULT_FEEDBACK_SETTINGS) -> go.Figure:
    """The minimum detectable effect per window, held `settings.mde_windows` windows."""
    figure = go.Figure(go.Scatter(x=frame["window_start"], y=frame["mde"], mode="lines+markers"))
    return figure.update_layout(title=f"Minimum detectable effect, held {settings.mde_windows} windows",
                                yaxis_tickformat=".1%" if metric.is_rate else None)


def _band(figure: go.Figure, frame: pd.DataFrame, column: str, name: str, colour: tuple[str, str],
          settings: FeedbackSettings) -> None:
    """`column` per window as a line, with its interval as a shaded band over the windows that have one."""
    known = frame[frame[f"{column}_low"].notna()]
    x = list(known["window_start"])
    figure.add_trace(go.Scatter(x=[*x, *x[::-1]], y=[*known[f"{column}_high"], *known[f"{column}_low"][::-1]],
                                fill="toself", fillcolor=colour[1], line={"width": 0}, hoverinfo="skip",
                                name=f"{name} {settings.confidence:.0%} interval"))
    figure.add_trace(go.Scatter(x=frame["window_start"], y=frame[column], name=name, line={"color": colour[0]},
                                mode="lines+markers"))
