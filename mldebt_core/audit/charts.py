"""Figures of the audit's scores, drawn by the Checklist page (and testable without a browser)."""

import plotly.graph_objects as go

from mldebt_core.audit.checklist import MAX_SCORE, Checklist
from mldebt_core.palette import BASE, GRAPH_EDGE

SHORT = {"q1": "testing a new approach at scale", "q2": "closure of data dependencies",
         "q3": "measuring a change's impact", "q4": "one model degrading others", "q5": "new members up to speed"}
"""question id -> a label short enough for an axis"""


def checklist_figure(checklist: Checklist) -> go.Figure:
    """The five scores (0-4) as bars, hatched where the team's answer overrides the evidence, with the computed
    score as a marker; a question without a score gets no bar and says so."""
    labels = [f"{q.id} {SHORT[q.id]}" for q in checklist.questions]
    figure = go.Figure(go.Bar(
        y=labels, x=[q.score or 0 for q in checklist.questions], orientation="h", name="score",
        marker={"color": BASE, "pattern": {"shape": ["/" if q.overridden else "" for q in checklist.questions]}},
        text=[_label(q.score, q.overridden) for q in checklist.questions], textposition="outside",
        hovertemplate="%{y}: %{x}<extra></extra>"))
    figure.add_trace(go.Scatter(
        y=labels, x=[q.computed_score for q in checklist.questions], mode="markers", name="computed from evidence",
        marker={"symbol": "diamond", "size": 12, "color": GRAPH_EDGE, "line": {"width": 1, "color": "black"}},
        hovertemplate="%{y}: computed %{x}<extra></extra>"))
    return figure.update_layout(
        title="The paper's five questions (hatched: the team's answer)", height=320, barmode="overlay",
        xaxis={"range": [0, MAX_SCORE + 0.6], "dtick": 1, "title": f"score (0-{MAX_SCORE}: criteria met)"},
        yaxis={"autorange": "reversed"}, legend={"orientation": "h", "y": -0.3}, margin={"l": 10, "r": 10, "t": 40})


def _label(score: int | None, overridden: bool) -> str:
    """Beside a bar: whose score it is when the team's, or that there is none (the axis gives the value)."""
    if score is None:
        return "no evidence"
    return "the team's answer" if overridden else ""
