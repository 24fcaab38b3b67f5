"""What every page shares: the store of this server process and the system and scan the
user picked. Not a page itself (app.py lists the pages)."""

import os
import re
from pathlib import Path

import streamlit as st

from mldebt_core import samples
from mldebt_core.store import Store, default_db_path, queries


@st.cache_resource
def store() -> Store:
    """One store per server process; it hands each thread its own cursor."""
    return Store(Path(os.environ["MLDEBT_DB"]) if os.environ.get("MLDEBT_DB") else default_db_path())


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def plain(text: str) -> str:
    """Text for st.success/st.error/st.markdown, which render Markdown: file names and values from an
    uploaded scan must show as typed, never as a link, an image or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def load_sample() -> None:
    samples.load_sample(store())


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
        st.info(f"System {plain(system)} has no scan yet. Upload one on the Scans page, or run "
                f"`mldebt scan PATH --system \"{system}\" --ingest`.")
        st.stop()
    return system, scan_id
