"""Page tests run one page alone (AppTest) over a temporary database seeded with the sample scan and (optionally)
the modified second scan."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.store import Store, ingest_scan
from tests.conftest import PROJECT
from tests.store_helpers import SAMPLE, SAMPLE_BYTES, as_bytes, modified_scan


def page(name: str) -> str:
    return str(PROJECT / "pages" / name)


def run_page(name: str, scan_id: int | None = None) -> AppTest:
    """Run pages/`name` alone; with `scan_id`, the sample system's scan is picked as the sidebar would."""
    at = AppTest.from_file(page(name), default_timeout=30)
    if scan_id is not None:
        at.session_state["system"] = SAMPLE["repo"]["name"]
        at.session_state["scan_id"] = scan_id
    return at.run()


def seed(monkeypatch, tmp_path, scans: int) -> None:
    """Point MLDEBT_DB at a new file holding the first `scans` of (sample, modified sample)."""
    db = tmp_path / "pages.duckdb"
    with Store(db) as store:
        for data in [SAMPLE_BYTES, as_bytes(modified_scan())][:scans]:
            ingest_scan(store, data, "scan.json")
    monkeypatch.setenv("MLDEBT_DB", str(db))
    st.cache_resource.clear()  # the store is cached per process: reopen it on this test's file
    st.cache_data.clear()
