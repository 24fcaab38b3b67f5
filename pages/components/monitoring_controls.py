"""The Monitoring page's controls: the reference the log is compared with, and the action limits."""

from datetime import timedelta

import streamlit as st

from mldebt_core.errors import MldebtError
from mldebt_core.monitoring.limits import METRICS, ActionLimit
from mldebt_core.monitoring.reference import Reference, profile_names
from mldebt_core.settings import DEFAULT_DRIFT_SETTINGS
from mldebt_core.usecases.monitoring import add_limit, remove_limit
from pages.components.analyses import ANALYSES
from pages.components.common import pick_model, pick_window, remember, show_outcome, store

REFERENCES = ["First days", "Date range", "Stored profile"]


def pick_reference(summary, system: str) -> Reference:
    """The reference the user picks: the log's first days, a date range or a stored profile."""
    profiles = profile_names(store(), system)
    kind = st.radio("Reference", REFERENCES if profiles else REFERENCES[:2], horizontal=True,
                    key="monitoring_reference")
    if kind == "First days":
        span = (summary.last_ts.date() - summary.first_ts.date()).days + 1
        days = st.number_input("First days of the log", 1, span, min(DEFAULT_DRIFT_SETTINGS.reference_days, span),
                               key="monitoring_days")
        return Reference(days=int(days))
    if kind == "Date range":
        first = summary.first_ts.date()
        chosen = st.date_input("From, to (inclusive)", (first, first + timedelta(days=6)), first,
                               summary.last_ts.date(), key="monitoring_range")
        if len(chosen) != 2:
            st.info("Pick the last day of the reference too.")
            st.stop()
        return Reference.between(chosen[0], chosen[1] + timedelta(days=1))
    return Reference.stored(st.selectbox("Stored profile", profiles, key="monitoring_profile"))


def limits_form(system: str, models: tuple[str, ...], limits: list[ActionLimit]) -> None:
    """Add a limit, or remove one; the change re-runs the monitoring findings, the rerun judges the log anew."""
    with st.expander("Add or remove an action limit"):
        with st.form("monitoring_limit_form"):
            left, middle, right = st.columns(3)
            metric = left.selectbox("Metric", list(METRICS), key="limit_metric",
                                    format_func=lambda m: f"{METRICS[m].title} ({METRICS[m].unit})")
            per = pick_window("limit_per", middle)
            model = pick_model(models, "limit_model", right)
            left, middle, right = st.columns(3)
            lower = left.number_input("At least", value=None, format="%g", key="limit_at_least")
            upper = middle.number_input("At most", value=None, format="%g", key="limit_at_most")
            positive = right.text_input("Also counts as a positive action", key="limit_positive",
                                        help="besides 'true', 'yes' and numbers other than 0, e.g. 'offer'")
            if st.form_submit_button("Add limit"):
                limit = (metric, per, lower, upper, model, positive.strip() or None)
                _change_limit(lambda: add_limit(store(), system, ActionLimit(*limit), ANALYSES),
                              "Stored limit #{id}: {meaning}.")
        if limits:
            left, right = st.columns([3, 1])
            chosen = left.selectbox("Limit", [limit.id for limit in limits], key="limit_remove_pick",
                                    format_func={limit.id: f"#{limit.id}: {limit.meaning}" for limit in limits}.get)
            if right.button("Remove limit", key="limit_remove"):
                _change_limit(lambda: remove_limit(store(), system, chosen, ANALYSES),
                              "Removed limit #{id}: {meaning}.")
        show_outcome("limit_outcome", keep=False)


def _change_limit(change, message: str) -> None:
    try:
        limit = change()
    except MldebtError as error:
        remember("limit_outcome", error)
    else:
        remember("limit_outcome", success=message.format(id=limit.id, meaning=limit.meaning))
        st.rerun()
