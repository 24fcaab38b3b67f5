"""What the command tests share: the whole sample system (scan, log, limit, feature sources, recorded findings),
loaded once per session and copied for each test that writes to it."""

import pytest

from mldebt_core.samples import load_sample
from mldebt_core.store import Store


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "m.duckdb"
    with Store(path) as store:
        load_sample(store)
    return path


@pytest.fixture
def sample_db(sample_db_file, tmp_path) -> str:
    """A fresh copy of the sample database, as a path for --db."""
    copy = tmp_path / "m.duckdb"
    copy.write_bytes(sample_db_file.read_bytes())
    return str(copy)
