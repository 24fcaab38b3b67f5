"""Text written by someone else on the pages: CSV downloads without formula cells, Markdown without live links or
broken code spans."""

import copy
import csv
import io
import os
import re

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from mldebt_core.store import Store, ingest_scan
from mldebt_core.text_safety import FORMULA_STARTS
from pages.components.common import plain
from tests.conftest import PROJECT
from tests.pages.helpers import page, run_page
from tests.store_helpers import SAMPLE, as_bytes
from tests.test_text_safety import OWASP_PAYLOADS

HOSTILE_SYSTEM = "x` [click](https://evil.example) `y"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """What the pages offer for download, by file name (captured where Streamlit stores it)."""
    offered: dict[str, bytes] = {}
    store = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        offered[filename] = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        return store(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return offered


def test_the_findings_download_has_no_formula_cell(seeded, downloads):
    seeded(scans=0)
    document = copy.deepcopy(SAMPLE)
    for finding, payload in zip(document["findings"], OWASP_PAYLOADS * 3):
        finding["message"] = payload
    with Store(os.environ["MLDEBT_DB"]) as store:
        ingest_scan(store, as_bytes(document), "hostile.json")
    at = run_page("findings.py", scan_id=1)
    assert not at.exception
    rows = list(csv.reader(io.StringIO(downloads["findings-scan-1.csv"].decode(), newline="")))
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []
    messages = {row[rows[0].index("message")] for row in rows[1:]}
    assert {"'" + payload for payload in OWASP_PAYLOADS} & messages


def test_every_csv_download_of_the_pages_goes_through_the_one_writer():
    offenders = [f"{path.relative_to(PROJECT)}:{number}" for path in (PROJECT / "pages").rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if "to_csv(" in line or ("download_button(" in line and path.name != "common.py"
                                          and "csv" in line.lower())]
    assert offenders == []


def test_a_hostile_system_name_never_sits_in_a_code_span(seeded):
    from mldebt_core.logs.table import create_log_table

    seeded(scans=1)
    with Store(os.environ["MLDEBT_DB"]) as store, store.transaction() as cursor:
        create_log_table(cursor, HOSTILE_SYSTEM, [("age", "numeric")])
    at = AppTest.from_file(page("overview.py"), default_timeout=30)
    at.session_state["system"] = HOSTILE_SYSTEM
    at.run()
    assert not at.exception
    info = at.info[0].value
    assert "has no scan yet" in info and plain(HOSTILE_SYSTEM) in info
    assert re.findall(r"(?<!\\)`", info) == [] and "https://" not in info
    assert at.code[0].value == "mldebt scan PATH --system 'x` [click](https://evil.example) `y' --ingest"


@pytest.mark.parametrize("text, live", [
    ("see https://evil.example/x", "https://"),
    ("see http://evil\u3002example/x", "http://"),  # an ideographic full stop: browsers read it as '.'
    ("WWW.evil.example", r"(?i)www\."),
    ("www\u3002evil\u3002example", "www\u3002"),
    ("ask bo@evil.example", r"\w@"),
    ("a `code` span", r"(?<!\\)`"),
    ("$x^2$ costs $5", r"(?<!\\)\$"),
    ("[click](https://evil.example)", r"(?<!\\)\["),
])
def test_plain_text_renders_no_link_code_or_formula(text, live):
    shown = plain(text)
    assert re.search(live, shown) is None  # no markup, scheme, www. or address left for Markdown to act on
    assert shown.replace("\u200b", "").replace("\\", "") == text  # reads as typed


def test_a_debt_id_from_an_uploaded_scan_shows_as_text(seeded):
    """A scan's finding ids are free text; the Debts page shows the picked debt's id in a caption."""
    seeded(scans=0)
    document = copy.deepcopy(SAMPLE)
    hostile = document["findings"][0]["id"] = "x:[click](https://evil.example)"
    with Store(os.environ["MLDEBT_DB"]) as store:
        ingest_scan(store, as_bytes(document), "hostile.json")
    at = AppTest.from_file(page("debts.py"), default_timeout=30)
    at.session_state["system"], at.session_state["scan_id"], at.session_state["debt"] = (
        SAMPLE["repo"]["name"], 1, hostile)
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption if c.value.startswith("id ")]
    assert captions == [f"id {plain(hostile)}"] and re.search(r"(?<!\\)\[", captions[0]) is None
