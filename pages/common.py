"""What every page shares: the store of this server process and the system and scan the
user picked. Not a page itself (app.py lists the pages)."""

import os
import re
from pathlib import Path

import streamlit as st

from mldebt_core.store import Store, default_db_path, ingest_scan, queries

SAMPLE_SCAN = Path(__file__).resolve().parents[1] / "data" / "samples" / "demo_scan.json"


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
    ingest_scan(store(), SAMPLE_SCAN.read_bytes(), SAMPLE_SCAN.name)


def selection() -> tuple[str, int] | None:
    """(system, scan id) of the sidebar picker, else the URL's, else the first system's latest scan."""
    systems = queries.list_systems(store())
    if not systems:
        return None
    system = st.session_state.get("system") or st.query_params.get("system")
    system = system if system in systems else systems[0]
    scans = queries.list_scans(store(), system)
    wanted = st.session_state.get("scan_id") or st.query_params.get("scan")
    ids = [int(i) for i in scans["scan_id"]]
    scan_id = int(wanted) if wanted is not None and str(wanted).isdigit() and int(wanted) in ids else ids[0]
    return system, scan_id


def require_selection() -> tuple[str, int]:
    """The selection, or a hint to load the sample and an early stop of the page."""
    chosen = selection()
    if chosen is None:
        st.info("No system yet. Load the sample system from the sidebar, or upload a scan on the Scans page.")
        st.stop()
    return chosen
