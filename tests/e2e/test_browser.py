"""End to end: a real `streamlit run app.py` server and a real headless Chromium (Debian's /usr/bin/chromium).

The server holds the DuckDB file for its whole life (DuckDB allows one process per file), so
every check of what is stored goes through the browser. The database holds the whole sample (scan,
prediction log, action limit) and a second system with a scan and no log yet. With
MLDEBT_SCREENSHOTS=1 the run also writes docs/screenshots/<page>.png (off by default so CI leaves
the checkout untouched).
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from mldebt_core.markdown import escape
from mldebt_core.samples import load_sample
from mldebt_core.store import Store, ingest_scan
from tests.e2e.servers import stop

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(),
                                                  reason="needs Debian's chromium at /usr/bin/chromium (apt-get "
                                                         "install chromium); .ci/run installs it")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package: pip install -e '.[test]'")
expect = sync_api.expect
expect.set_options(timeout=30_000)

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE = PROJECT / "data" / "samples" / "demo_scan.json"
SCREENSHOTS = PROJECT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000
SAMPLE_SYSTEM = "churn-system"
UPLOADED_SYSTEM = "uploaded-system"
NO_LOG_SYSTEM = "new-system"  # has a scan, gets its first prediction log through the Monitoring page


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A server on a free port over a temporary database holding the sample system and a system without a log."""
    db = tmp_path_factory.mktemp("e2e") / "mldebt.duckdb"
    with Store(db) as store:
        load_sample(store)
        ingest_scan(store, SAMPLE.read_bytes(), "new.json", system=NO_LOG_SYSTEM)
    with serve(db, tmp_path_factory.mktemp("e2e-log") / "streamlit.log") as url:
        yield url


@contextmanager
def serve(db: Path, log: Path):
    """`streamlit run app.py` on a free port over the database `db`; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false"],
            cwd=PROJECT, env={**os.environ, "MLDEBT_DB": str(db)}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the streamlit server did not come up:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser context (its own Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=app_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def settled(page, heading: str) -> None:
    """Streamlit renders over a websocket after `load`: wait for the script to finish and a known heading."""
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_be_attached()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def open_page(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    settled(page, name)


def sidebar_box(page, label: str):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label, exact=True)


def open_list(page, label: str):
    """Open a sidebar selectbox's list. A click that lands while the sidebar is being redrawn
    after a rerun opens nothing, so it is tried again."""
    options = page.get_by_role("option")
    for _ in range(3):
        sidebar_box(page, label).click()
        try:
            expect(options.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    expect(options.first).to_be_visible()
    return options


def sidebar_options(page, label: str) -> list[str]:
    """The options of a sidebar selectbox, read by opening its list."""
    options = open_list(page, label)
    texts = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")
    expect(options).to_have_count(0)
    return texts


def screenshot(page, name: str, height: int) -> None:
    """Streamlit scrolls inside its own container, so full_page alone shows one viewport: make it tall."""
    if os.environ.get("MLDEBT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": height})
        page.wait_for_timeout(1500)  # charts and the graph redraw at the new size
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_overview_of_the_sample_system(page):
    page.goto("/")
    settled(page, "Overview")
    expect(sidebar_box(page, "System")).to_have_value(SAMPLE_SYSTEM)
    expect(page.get_by_text(f"{SAMPLE_SYSTEM} · scan #1")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    page.wait_for_timeout(1000)  # plotly's entry transition
    screenshot(page, "overview.png", 2600)


def test_a_link_opened_first_on_a_fresh_server_shows_the_whole_app(browser, tmp_path):
    """Streamlit runs an app with a pages/ folder as a legacy multipage app until app.py has run once: the first
    visit to a fresh server, straight to a page by a shared link, must still get app.py's sidebar and navigation."""
    db = tmp_path / "mldebt.duckdb"
    with Store(db) as store:
        load_sample(store)
    with serve(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=url)
        page = context.new_page()
        page.goto(f"/findings?system={SAMPLE_SYSTEM}&scan=1")
        settled(page, "Findings")
        expect(sidebar_box(page, "System")).to_have_value(SAMPLE_SYSTEM)
        expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Feedback Loops")).to_be_visible()
        context.close()


def test_triage_a_top_debt_and_hold_a_retrospective(page):
    """The audit's main flow: the Overview opens on the ranked debts, a debt is triaged on the Debts page, then a
    retrospective is held, saved with an action item and offered as Markdown."""
    page.goto("/")
    settled(page, "Overview")
    expect(page.get_by_role("heading", name="Top 10 debts")).to_be_visible()
    expect(page.get_by_text("Next step:").first).to_be_visible()

    open_page(page, "Debts")
    page.get_by_role("radiogroup", name="Status").get_by_text("Won't fix").click()
    page.get_by_role("textbox", name="Owner").fill("ana")
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("give the reason as the note")
    page.get_by_role("textbox", name="Note").fill("documented kill switch, kept on purpose")
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Saved: Won't fix, owner ana")
    settled(page, "Debts")
    screenshot(page, "debts.png", 1900)

    open_page(page, "Retrospective")
    expect(page.get_by_text("first retrospective")).to_be_visible()
    page.get_by_role("textbox", name="Action", exact=True).fill("Break the prediction feedback loop")
    page.get_by_role("textbox", name="Owner", exact=True).fill("bo")
    page.get_by_role("button", name="Add", exact=True).click()
    settled(page, "Retrospective")
    expect(page.get_by_text("No action item yet")).to_have_count(0)  # the grid lists it (drawn on a canvas)
    page.get_by_role("textbox", name="Notes").fill("pay the loop down first")
    page.get_by_role("textbox", name="Held by").fill("ana")
    page.get_by_role("button", name="Save the retrospective").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("with 1 action item")
    settled(page, "Retrospective")
    screenshot(page, "retrospective.png", 2200)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as Markdown").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith(f"# Retrospective of {escape(SAMPLE_SYSTEM)}")
    assert "| Break the prediction feedback loop | bo |" in text


def test_dependencies_graph_renders(page):
    page.goto("/")
    settled(page, "Overview")
    open_page(page, "Dependencies")
    frame = page.frame_locator('iframe[title="st.iframe"]').first
    expect(frame.locator("#mynetwork canvas")).to_be_attached()
    page.wait_for_timeout(1500)  # vis-network draws the precomputed layout after the canvas exists
    screenshot(page, "dependencies.png", 1250)


def test_upload_a_scan_stores_a_new_system(page, tmp_path):
    scan = json.loads(SAMPLE.read_text())
    scan["repo"]["name"] = UPLOADED_SYSTEM  # what `mldebt scan --system uploaded-system` records
    upload = tmp_path / "other.json"
    upload.write_text(json.dumps(scan))

    page.goto("/scans")
    settled(page, "Scans")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"other.json: stored as scan #3 of system {UPLOADED_SYSTEM}")
    settled(page, "Scans")
    assert sidebar_options(page, "System") == sorted([SAMPLE_SYSTEM, UPLOADED_SYSTEM, NO_LOG_SYSTEM])

    # the same file again is recognised, not stored twice
    page.reload()
    settled(page, "Scans")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("already stored as scan #3")


def test_malformed_upload_shows_an_error_and_changes_nothing(page, tmp_path):
    """'Unchanged' is checked through the UI (the server holds the database): the systems and each
    system's scans listed in the sidebar are the same before and after the refused upload."""
    page.goto("/scans")
    settled(page, "Scans")
    before = stored_scans(page)

    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "1.0", "repo": {"name": "broken-system"}, "findings": [')
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(broken))
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("broken.json")
    settled(page, "Scans")

    invalid = tmp_path / "invalid.json"  # well-formed JSON, not a scan
    invalid.write_text(json.dumps({"repo": {"name": "invalid-system"}, "findings": "many"}))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(invalid))
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("invalid.json")
    settled(page, "Scans")

    page.reload()  # a new session reads the store afresh
    settled(page, "Scans")
    assert stored_scans(page) == before
    assert "broken-system" not in before and "invalid-system" not in before


def stored_scans(page) -> dict[str, list[str]]:
    """{system: its scans as the sidebar lists them}, for every system in the sidebar."""
    result = {}
    for system in sidebar_options(page, "System"):
        open_list(page, "System")
        page.get_by_role("option", name=system, exact=True).click()
        # the rerun ends by writing the pick into the URL: only then does the Scan list belong to the system
        expect(page).to_have_url(re.compile(rf"[?&]system={re.escape(quote_plus(system))}(&|$)"))
        settled(page, "Scans")
        result[system] = sidebar_options(page, "Scan")
    return result


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the page's (not the sidebar's) selectbox `label`."""
    page.get_by_test_id("stMain").get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).click()


def test_monitoring_of_the_sample_shows_bias_drift_limits_and_producers(page):
    page.goto("/")
    settled(page, "Overview")
    open_page(page, "Monitoring")
    for heading in ["Prediction bias", "Drift", "Action limits", "Up-stream producers"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Limit breaches")).to_contain_text("8")
    expect(page.locator(".js-plotly-plot")).to_have_count(4)  # bias, bands, drift heatmap, limits
    window = page.get_by_test_id("stMain").get_by_role("radiogroup", name="Window", exact=True).first
    window.get_by_text("week", exact=True).click()
    settled(page, "Monitoring")
    expect(page.get_by_text("Mean prediction against the observed label mean")).to_be_visible()
    window.get_by_text("day", exact=True).click()
    settled(page, "Monitoring")
    page.wait_for_timeout(1000)
    screenshot(page, "monitoring.png", 2600)


def test_upload_a_prediction_log_confirming_its_roles(page, tmp_path):
    log = tmp_path / "predictions.csv"
    rows = ["timestamp,model,score,label,tenure"]
    for hour in range(96):
        rows.append(f"2026-05-{1 + hour // 24:02d}T{hour % 24:02d}:00:00Z,m1,{(hour % 10) / 10},{hour % 2},{hour}")
    log.write_text("\n".join(rows) + "\n")

    page.goto(f"/monitoring?system={NO_LOG_SYSTEM}")
    settled(page, "Monitoring")
    expect(page.get_by_text(f"{NO_LOG_SYSTEM} has no prediction log yet")).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(log))
    expect(page.get_by_text("Check the role of each column")).to_be_visible()
    page.get_by_role("button", name=f"Store in the log of {NO_LOG_SYSTEM}").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("predictions.csv: stored 96 rows")
    settled(page, "Monitoring")
    expect(page.get_by_role("heading", name="Drift", exact=True)).to_be_visible()
    expect(page.get_by_text("96 predictions from 2026-05-01 00:00")).to_be_visible()


def test_feedback_loops_finds_the_sample_loop(page):
    page.goto("/")
    settled(page, "Overview")
    open_page(page, "Feedback Loops")
    verdict = page.get_by_test_id("stAlertContentWarning").first
    expect(verdict).to_contain_text("treatment label rate has drifted")
    expect(verdict).to_contain_text("above holdout since 2026-03-")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    frame = page.frame_locator('iframe[title="st.iframe"]').first
    expect(frame.locator("#mynetwork canvas")).to_be_attached()  # the scan's lineage loops
    page.wait_for_timeout(1500)
    screenshot(page, "feedback_loops.png", 2600)


def test_ablation_of_the_sample_table_runs_with_progress_and_ranks_features(page):
    page.goto("/")
    settled(page, "Overview")
    open_page(page, "Feature Ablation")
    pick(page, "Method", "permutation: permutation importance only")
    page.get_by_role("button", name="Run ablation").click()
    headline = page.get_by_test_id("stAlertContentSuccess").or_(page.get_by_test_id("stAlertContentWarning"))
    expect(headline.first).to_contain_text("remove", timeout=120_000)
    settled(page, "Feature Ablation")
    expect(page.locator(".js-plotly-plot")).to_have_count(3)  # contribution, clusters, cost vs benefit
    page.wait_for_timeout(1000)
    screenshot(page, "ablation.png", 2400)
