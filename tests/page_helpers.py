"""A temporary database for page tests, seeded with the sample scan and (optionally) the modified second scan."""

import pytest
import streamlit as st

from mldebt_core.store import Store, ingest_scan
from tests.conftest import PROJECT
from tests.store_helpers import SAMPLE_BYTES, as_bytes, modified_scan


def page(name: str) -> str:
    return str(PROJECT / "pages" / name)


def seed(monkeypatch, tmp_path, scans: int) -> None:
    """Point MLDEBT_DB at a new file holding the first `scans` of (sample, modified sample)."""
    db = tmp_path / "pages.duckdb"
    with Store(db) as store:
        for data in [SAMPLE_BYTES, as_bytes(modified_scan())][:scans]:
            ingest_scan(store, data, "scan.json")
    monkeypatch.setenv("MLDEBT_DB", str(db))
    st.cache_resource.clear()  # the store is cached per process: reopen it on this test's file
    st.cache_data.clear()


@pytest.fixture
def seeded(monkeypatch, tmp_path):
    """`seeded(scans)` points MLDEBT_DB at a new database holding that many sample scans."""
    return lambda scans=2: seed(monkeypatch, tmp_path, scans)
