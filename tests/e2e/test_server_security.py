"""End to end: `mldebt app --host 127.0.0.2` (another address than this machine's usual loopback, so a token
is generated) over a fresh database, probed over HTTP, raw WebSocket upgrades and Debian's Chromium.

One server for the module: the refusals (a DNS-rebinding Host header, no token) and the way in (the printed
address) are all asked of the same process.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mldebt_core.settings import DEFAULT_SERVING_SETTINGS
from tests.e2e.servers import stop

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(),
                                                  reason="needs Debian's chromium at /usr/bin/chromium (apt-get "
                                                         "install chromium); .ci/run installs it")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package: pip install -e '.[test]'")
expect = sync_api.expect

PROJECT = Path(__file__).resolve().parents[2]
ADDRESS = "127.0.0.2"  # loopback on Linux, yet not a name the server accepts without a token
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000


def free_port() -> int:
    try:
        with socket.socket() as s:
            s.bind((ADDRESS, 0))
            return s.getsockname()[1]
    except OSError:
        pytest.skip(f"cannot bind {ADDRESS} here")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`mldebt app --host 127.0.0.2` (the sample loaded into an empty database); yields the address it
    printed, token included."""
    folder = tmp_path_factory.mktemp("served")
    port, log = free_port(), folder / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "MLDEBT_TOKEN"} | {"MLDEBT_DB": ""}
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "mldebt_core.cli", "--db", str(folder / "m.duckdb"), "app",
                                   "--host", ADDRESS, "--port", str(port)],
                                  cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            printed = re.search(rf"http://{re.escape(ADDRESS)}:{port}/\?token=[\w-]+", log.read_text())
            try:
                if printed and urllib.request.urlopen(f"http://{ADDRESS}:{port}/_stcore/health", timeout=1).read():
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`mldebt app --host` did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield printed.group(0)
    finally:
        stop(server)


def base(url: str) -> str:
    return url.split("?")[0].rstrip("/")


def cookie(url: str) -> str:
    port = re.search(r":(\d+)/", url).group(1)
    return f"mldebt_token_{port}={url.split('token=')[1]}"


def get(url: str, **headers) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def upgrade(url: str, host: str, cookie_header: str | None = None) -> int:
    """The status line's code of a WebSocket upgrade of Streamlit's data channel, /_stcore/stream."""
    address, port = re.search(r"//([^:/]+):(\d+)", url).groups()
    with socket.create_connection((address, int(port)), timeout=5) as s:
        s.sendall(("GET /_stcore/stream HTTP/1.1\r\n"
                   f"Host: {host}\r\nOrigin: http://{host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: streamlit\r\n"
                   + (f"Cookie: {cookie_header}\r\n" if cookie_header else "") + "\r\n").encode())
        return int(s.recv(1024).split(b" ")[1])


def test_the_printed_address_carries_a_fresh_token(served):
    assert len(served.split("token=")[1]) >= 40


def test_a_dns_rebinding_host_is_refused_over_http_and_the_websocket(served):
    own_host = base(served).split("//")[1]
    for path in ["/", "/_stcore/health", "/_stcore/host-config"]:
        code, _, body = get(base(served) + path, Host="evil.example:8501", Cookie=cookie(served))
        assert code == 403 and b"answers only to its own address" in body
    assert upgrade(served, "evil.example", cookie(served)) == 403
    assert upgrade(served, own_host, cookie(served)) == 101  # the same upgrade under the server's own name


def test_without_the_token_nothing_is_served(served):
    code, _, body = get(base(served) + "/")
    assert code == 401 and b"access token" in body
    code, _, _ = get(base(served) + "/?token=not-the-token")
    assert code == 401
    assert upgrade(served, base(served).split("//")[1]) == 403


def test_every_response_carries_the_security_policy(served):
    code, headers, body = get(base(served) + "/", Cookie=cookie(served))
    headers = {name.lower(): value for name, value in headers.items()}
    assert code == 200 and b"<html" in body.lower()
    assert headers["content-security-policy"] == DEFAULT_SERVING_SETTINGS.content_security_policy
    assert headers["x-frame-options"] == "SAMEORIGIN" and headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'self'" in get(base(served) + "/")[1]["content-security-policy"]  # refusals too


@pytest.fixture
def page(served):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.console = []
        page.on("console", lambda message: page.console.append(message.text))
        page.on("pageerror", lambda error: page.console.append(str(error)))
        yield page
        browser.close()


def test_chromium_without_the_token_sees_only_the_refusal(page, served):
    page.goto(base(served) + "/")
    expect(page.locator("body")).to_contain_text("needs its access token")
    assert page.get_by_test_id("stApp").count() == 0


def test_chromium_with_the_printed_address_gets_the_dashboard_under_the_policy(page, served):
    page.goto(served)
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_be_attached()
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    assert "token" not in page.url  # traded for the cookie: not in the history, not in a shared link
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()  # plotly draws under the policy
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Dependencies", exact=True).click()
    expect(page.get_by_role("heading", name="Dependencies", exact=True)).to_be_visible()
    graph = page.frame_locator("iframe").first  # the pyvis graph, inline scripts in a srcdoc iframe
    expect(graph.locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not [text for text in page.console if "Content Security Policy" in text], page.console
