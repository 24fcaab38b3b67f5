"""What every page shares: the store of this server process, the one caching convention, the picked system and
scan, pickers, the confidence floor, downloads and outcome messages."""

import os
import shlex
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from mldebt_core import markdown, samples
from mldebt_core.errors import MldebtError
from mldebt_core.logs.windows import DEFAULT_WINDOW, WINDOWS
from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
from mldebt_core.store import Store, StoreError, default_db_path, queries
from mldebt_core.store.versions import system_version
from mldebt_core.text_safety import csv_text

# Streamlit runs an app with a pages/ folder as a legacy multipage app until some session has called
# st.navigation: on a fresh server, a first visit straight to /scans ran pages/scans.py alone, without app.py's
# sidebar and navigation. Every page imports this module, so the first such run leaves legacy mode and reruns
# through app.py, which resolves the same URL to the same page.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()

ALL_MODELS = "All models"


@st.cache_resource
def _open_store() -> Store:
    return Store(Path(os.environ["MLDEBT_DB"]) if os.environ.get("MLDEBT_DB") else default_db_path())


def store() -> Store:
    """One store per server process; unopenable (held by a second dashboard): one error line, the page stops."""
    try:
        return _open_store()  # a failure is not cached: the next page load tries again
    except StoreError as error:
        st.error(plain(f"Cannot open the database: {error}."))
        st.stop()


def cached(shared: bool = False, **options):
    """The one caching convention: `st.cache_data` over core calls that take the store first (hashed by its path)
    and, among their arguments, the system's `version()` or an id that never changes (a stored scan), so a result
    is recomputed exactly when something it reads changed. `shared=True`: one read-only object for every session
    (`st.cache_resource`), for results too large to copy on each rerun (graphs)."""
    cache = st.cache_resource if shared else st.cache_data
    return cache(hash_funcs={Store: lambda s: str(s.path)}, show_spinner=False, **options)


def version(system: str) -> str:
    return system_version(store(), system)


def plain(text: str) -> str:
    """Text for st.success/st.error/st.markdown, which render Markdown: file names and values from an
    uploaded scan must show as typed, never as a link, an image, a formula or emphasis. Never inside a code span:
    a backtick in the name would end it."""
    return markdown.escape_everywhere(text)


def load_sample() -> None:
    samples.load_sample(store())


# -- the picked system and scan ------------------------------------------------------------------------------


def selection() -> tuple[str, int | None] | None:
    """(system, scan id) of the sidebar picker, else the URL's, else the first system and its latest scan;
    the scan id is None for a system with only a prediction log (`mldebt ingest-log --system NEW`)."""
    systems = queries.list_systems(store())
    if not systems:
        return None
    system = st.session_state.get("system") or st.query_params.get("system")
    system = system if system in systems else systems[0]
    ids = [int(i) for i in queries.list_scans(store(), system)["scan_id"]]
    wanted = st.session_state.get("scan_id") or st.query_params.get("scan")
    if wanted is not None and str(wanted).isdigit() and int(wanted) in ids:
        return system, int(wanted)
    return system, ids[0] if ids else None


def require_selection() -> tuple[str, int | None]:
    """The selection, or a hint to load the sample and an early stop of the page."""
    chosen = selection()
    if chosen is None:
        st.info("No system yet. Load the sample system from the sidebar, or upload a scan on the Scans page.")
        st.stop()
    return chosen


def require_scan() -> tuple[str, int]:
    """The selection of a page that shows a scan, or a hint when the chosen system has none yet."""
    system, scan_id = require_selection()
    if scan_id is None:
        st.info(f"System {plain(system)} has no scan yet. Upload one on the Scans page, or run:")
        st.code(f"mldebt scan PATH --system {shlex.quote(system)} --ingest", language="bash")  # code, not Markdown
        st.stop()
    return system, scan_id


# -- pickers, downloads, outcomes ----------------------------------------------------------------------------


def pick_model(models, key: str, where=st) -> str | None:
    """A model of the log, or None for all of them together."""
    picked = where.selectbox("Model", [ALL_MODELS, *models], key=key)
    return None if picked == ALL_MODELS else picked


def pick_window(key: str, where=st) -> str:
    return where.radio("Window", [DEFAULT_WINDOW, *(w for w in WINDOWS if w != DEFAULT_WINDOW)], horizontal=True,
                       key=key)


MIN_CONFIDENCE = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence


def confidence_floor(hidden: int, key: str) -> int:
    """The confidence (percent) under which a page hides findings: MIN_CONFIDENCE, or 0 once the user turns the
    toggle on; says how many findings (`hidden`, counted at MIN_CONFIDENCE) it hides."""
    show = st.toggle(f"Show findings under {MIN_CONFIDENCE}% confidence", key=key,
                     help="A finding's confidence is its kind's measured precision: the share of such findings "
                          "judged real debt on a labelled corpus of real repositories (setting "
                          "FindingsViewSettings.min_confidence).")
    if hidden and not show:
        st.caption(f"{hidden:,} finding{'s' if hidden != 1 else ''} under {MIN_CONFIDENCE}% confidence hidden.")
    return 0 if show else MIN_CONFIDENCE


def download(label: str, frame: pd.DataFrame, file_name: str, key: str) -> None:
    """A CSV download of a frame (no rerun on click), through the one CSV writer: no cell a spreadsheet would
    run as a formula."""
    st.download_button(label, csv_text(frame), file_name=file_name, mime="text/csv", on_click="ignore", key=key)


def remember(key: str, error: MldebtError | None = None, success: str | None = None) -> None:
    """Keep the outcome of an action for `show_outcome`, which runs after the rerun the action causes."""
    st.session_state[key] = ("error", str(error)) if error is not None else ("success", success)


def show_outcome(key: str, keep: bool = True) -> None:
    """The remembered outcome under `key`, as a success or an error (`keep=False`: shown once)."""
    outcome = st.session_state.get(key) if keep else st.session_state.pop(key, None)
    if outcome is not None:
        (st.success if outcome[0] == "success" else st.error)(plain(outcome[1]))
