"""Rows a page shows, as far as this mldebt understands them: the others are named in a warning and left out."""

import pandas as pd
import streamlit as st

from mldebt_core import views
from pages.components import common as ui


def understood(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    """The rows (findings, debts) of kinds this mldebt knows; a warning names the others (`views.known_kinds`)."""
    known, warning = views.known_kinds(rows, what)
    if warning:
        st.warning(ui.plain(warning))
    return known
