"""The fixture of the page tests: a fresh database (MLDEBT_DB) with the sample scans, caches cleared."""

import pytest

from tests.pages.helpers import seed


@pytest.fixture
def seeded(monkeypatch, tmp_path):
    """`seeded(scans)` points MLDEBT_DB at a new database holding that many sample scans."""
    return lambda scans=2: seed(monkeypatch, tmp_path, scans)
