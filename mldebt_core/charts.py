"""Plotly figures of a scan at a glance, drawn by the Overview page from the frames of `views`; nothing here
computes a statistic. Names from the scan (languages, kinds) reach plotly through `plotly_text`."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from mldebt_core.palette import SEVERITIES
from mldebt_core.text_safety import plotly_text


def kinds_figure(by_kind: pd.DataFrame) -> go.Figure:
    """Findings per kind, stacked by severity (`views.kind_severity_counts`)."""
    return px.bar(_named(by_kind, "title"), x="findings", y="title", color="severity", orientation="h",
                  color_discrete_map=SEVERITIES, labels={"title": ""})


def sections_figure(by_section: pd.DataFrame) -> go.Figure:
    """Findings per paper section (`views.section_counts`)."""
    return px.bar(_named(by_section, "section"), x="findings", y="section", orientation="h", labels={"section": ""})


def languages_figure(languages: pd.DataFrame) -> go.Figure:
    """Lines per language, files on hover (`queries.languages`)."""
    return px.bar(_named(languages, "language"), x="language", y="lines", hover_data=["files"])


def trend_figure(grid: pd.DataFrame) -> go.Figure:
    """Findings per kind across the system's scans, stacked (`views.trend_grid`)."""
    return px.area(_named(grid, "kind"), x="scan", y="findings", color="kind")


def _named(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """`frame` with the names in `column` as plotly must get them (it reads HTML in labels)."""
    return frame.assign(**{column: frame[column].map(plotly_text)})
