"""pages/scans.py: uploading good and malformed scan JSON, and the list of stored scans."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mldebt_core.scan.runner import scan_repository
from mldebt_core.store import queries
from pages.components import common
from pages.components.common import plain
from tests.conftest import PROJECT
from tests.pages.helpers import page
from tests.store_helpers import SAMPLE_BYTES, as_bytes, modified_scan


@pytest.fixture(autouse=True)
def _sample_only(seeded):
    seeded(1)


def _app() -> AppTest:
    return AppTest.from_file(page("scans.py"), default_timeout=30).run()


def test_lists_the_scans_and_how_to_make_one():
    at = _app()
    assert not at.exception
    assert list(at.dataframe[0].value["scan_id"]) == [1]
    assert "mldebt scan PATH -o scan.json" in at.code[0].value
    assert "100 MB" in at.get("file_uploader")[0].proto.label


def test_good_upload_is_stored_and_listed():
    at = _app()
    at.file_uploader(key="scans_upload").set_value(("later.json", as_bytes(modified_scan()), "application/json")).run()
    assert not at.exception and not at.error
    assert at.success[0].value == plain("later.json: stored as scan #2 of system churn-system.")
    assert list(at.dataframe[0].value["scan_id"]) == [2, 1]


def test_same_scan_again_is_already_stored():
    at = _app()
    at.file_uploader(key="scans_upload").set_value(("demo_scan.json", SAMPLE_BYTES, "application/json")).run()
    assert at.success[0].value == plain("demo_scan.json: already stored as scan #1 of system churn-system.")


def test_malformed_upload_is_refused_in_plain_words():
    at = _app()
    before = common.store().table_counts()
    at.file_uploader(key="scans_upload").set_value(("broken.json", b'{"schema_version": ', "application/json")).run()
    assert not at.exception
    assert at.error[0].value.startswith(plain("broken.json: not valid JSON at line 1"))
    assert common.store().table_counts() == before
    assert list(at.dataframe[0].value["scan_id"]) == [1]  # the page keeps working


def test_markdown_in_a_file_name_shows_as_text():
    assert plain("![x](http://evil) *bold* a_b.json") == "\\!\\[x\\]\\(http\u200b://evil\\) \\*bold\\* a\\_b\\.json"


def test_a_monorepo_scan_is_stored_whole_or_one_project_as_a_system(make_repo):
    repo = make_repo({"api/requirements.txt": "fastapi\n", "api/main.py": "x = 1\n",
                      "batch/setup.py": "", "batch/job.py": "y = 2\n"})
    scan = scan_repository(repo, system="platform").model_dump_json().encode()
    at = _app()
    at.file_uploader(key="scans_upload").set_value(("mono.json", scan, "application/json")).run()
    assert not at.success and "a monorepo of 3 projects" in at.caption[0].value
    projects = at.selectbox(key="scans_project").options
    assert projects[0] == "the whole repository" and "project api (api)" in projects
    at.selectbox(key="scans_project").select_index(projects.index("project api (api)")).run()
    at.button(key="scans_store").click().run()
    assert not at.exception and at.success[0].value.endswith(plain("of system api."))
    assert queries.list_systems(common.store()) == ["api", "churn-system"]


# -- the frame (app.py, common.store) on a queued scan refused, and on a database held elsewhere ---------------

APP = str(PROJECT / "app.py")


def test_a_queued_scan_refused_is_told_on_the_next_page_load():
    from mldebt_core.store import inbox_path

    inbox = inbox_path(common.store().path)
    inbox.mkdir()
    queued = inbox / "00000000000000000001-42-poisoned.json"
    queued.write_text('{"schema_version": 4, "findings": [], "findings": []}')
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [plain(
        f"queued scan {queued.name} was refused and moved to {inbox / 'rejected'}: {queued.name}: (top level): "
        f"duplicate key 'findings' (a JSON object names each key once)")]
    assert (inbox / "rejected" / queued.name).exists()


def test_a_database_held_by_another_process_is_one_error_line_naming_its_pid(monkeypatch):
    """Two dashboards started before the first page load: the second cannot open the file (DuckDB allows one
    process); its pages say so in one line instead of an exception box."""
    from mldebt_core.store import DatabaseLockedError, db

    common.store().close()
    st.cache_resource.clear()
    held = common.default_db_path()

    def locked(path):
        raise DatabaseLockedError(path, 4242)

    monkeypatch.setattr(db, "_connect", locked)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [plain(
        f"Cannot open the database: the database {held} is open in process 4242; DuckDB lets one process use a "
        f"file at a time: stop that process (another dashboard or mldebt command) or use another database "
        f"(MLDEBT_DB or --db).")]
    assert not at.sidebar.selectbox  # the page stopped there
