"""The dashboard's door (mldebt_core.serving): Host check, access token, security headers, as plain ASGI calls."""

import asyncio

import pytest

from mldebt_core.errors import MldebtError
from mldebt_core.serving import Door, Guard, access_token, access_url, check_address, host_name, needs_token
from mldebt_core.settings import DEFAULT_SERVING_SETTINGS

TOKEN = "s3cret-Token_of.enough~length"
LOCAL = Door(frozenset(DEFAULT_SERVING_SETTINGS.local_hosts), None)
TEAM = Door(frozenset({*DEFAULT_SERVING_SETTINGS.local_hosts, "10.1.2.3"}), TOKEN)


def call(door: Door, host: str | None = "localhost:8501", path: str = "/", query: str = "", cookie: str = "",
         kind: str = "http"):
    """Run one request through the Guard; returns (what it sent, whether Streamlit was reached)."""
    reached, sent = [], []

    async def streamlit(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"x-frame-options", b"ALLOWALL")]})
        await send({"type": "http.response.body", "body": b"dashboard"})

    async def send(message):
        sent.append(message)

    headers = ([(b"host", host.encode())] if host is not None else []) + \
              ([(b"cookie", cookie.encode())] if cookie else [])
    scope = {"type": kind, "path": path, "query_string": query.encode(), "headers": headers,
             "server": ("10.1.2.3", 8501), "scheme": "http" if kind == "http" else "ws"}
    asyncio.run(Guard(streamlit, door)(scope, None, send))
    return sent, bool(reached)


def status(sent) -> int | str:
    return sent[0]["status"] if sent[0]["type"] == "http.response.start" else sent[0]["type"]


def headers(sent) -> dict[bytes, list[bytes]]:
    found = {}
    for name, value in sent[0]["headers"]:
        found.setdefault(name, []).append(value)
    return found


@pytest.mark.parametrize("host", ["evil.example:8501", "evil.example", "localhost.evil.example:8501",
                                  "127.0.0.1.nip.io", "[::2]:8501", "localhost:abc", "", None])
def test_a_foreign_or_malformed_host_is_refused_before_streamlit(host):
    sent, reached = call(LOCAL, host)
    assert status(sent) == 403 and not reached
    assert b"answers only to its own address" in sent[1]["body"]


def test_a_foreign_host_cannot_open_the_websocket_even_with_the_token():
    sent, reached = call(TEAM, "evil.example:8501", "/_stcore/stream", cookie=f"mldebt_token_8501={TOKEN}",
                         kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 1008}] and not reached  # closed before accept: 403


@pytest.mark.parametrize("host", ["localhost:8501", "LOCALHOST", "127.0.0.1:8501", "[::1]:8501"])
def test_local_hosts_reach_the_dashboard_with_the_security_headers(host):
    sent, reached = call(LOCAL, host)
    assert reached and status(sent) == 200
    found = headers(sent)
    assert found[b"content-security-policy"] == [DEFAULT_SERVING_SETTINGS.content_security_policy.encode()]
    assert found[b"x-frame-options"] == [b"SAMEORIGIN"]  # Streamlit's own value replaced, not doubled
    assert b"frame-ancestors 'self'" in found[b"content-security-policy"][0]
    assert found[b"x-content-type-options"] == [b"nosniff"] and found[b"referrer-policy"] == [b"no-referrer"]


def test_the_security_policy_loads_nothing_from_elsewhere():
    policy = DEFAULT_SERVING_SETTINGS.content_security_policy
    assert "http" not in policy and "*" not in policy and "'unsafe-eval'" not in policy
    assert "connect-src 'self'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("path", ["/", "/overview", "/_stcore/host-config", "/static/js/index.js"])
def test_without_the_token_nothing_is_served(path):
    sent, reached = call(TEAM, "10.1.2.3:8501", path)
    assert status(sent) == 401 and not reached and b"?token=" in sent[1]["body"]


def test_the_websocket_without_the_token_is_refused():
    sent, reached = call(TEAM, "10.1.2.3:8501", "/_stcore/stream", query=f"token={TOKEN}", kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 1008}] and not reached  # the cookie is the only key


def test_the_health_probe_needs_no_token():
    assert call(TEAM, "10.1.2.3:8501", "/_stcore/health")[1]


@pytest.mark.parametrize("given", ["wrong", TOKEN + "x", TOKEN[:-1], ""])
def test_a_wrong_token_is_refused(given):
    sent, reached = call(TEAM, "10.1.2.3:8501", query=f"token={given}")
    assert status(sent) == 401 and not reached
    sent, reached = call(TEAM, "10.1.2.3:8501", cookie=f"mldebt_token_8501={given}")
    assert status(sent) == 401 and not reached


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address():
    sent, reached = call(TEAM, "10.1.2.3:8501", "/findings", query=f"system=churn&token={TOKEN}&scan=2")
    assert status(sent) == 303 and not reached
    found = headers(sent)
    assert found[b"location"] == [b"/findings?system=churn&scan=2"]
    assert found[b"set-cookie"] == [f"mldebt_token_8501={TOKEN}; Path=/; HttpOnly; SameSite=Lax".encode()]


@pytest.mark.parametrize("path,location", [("//evil.example/x", b"/evil.example/x"),
                                           ("/a\r\nSet-Cookie: x=1", b"/a%0D%0ASet-Cookie:%20x=1")])
def test_the_sign_in_redirect_stays_on_the_site_and_in_one_header(path, location):
    sent, _ = call(TEAM, "10.1.2.3:8501", path, query=f"token={TOKEN}")
    assert headers(sent)[b"location"] == [location]


def test_the_cookie_opens_pages_and_the_websocket():
    cookie = f"other=1; mldebt_token_8501={TOKEN}"
    sent, reached = call(TEAM, "10.1.2.3:8501", "/overview", cookie=cookie)
    assert reached and status(sent) == 200 and b"content-security-policy" in headers(sent)
    assert call(TEAM, "10.1.2.3", "/_stcore/stream", cookie=cookie, kind="websocket")[1]


def test_a_cookie_of_another_port_is_not_this_dashboards():
    assert status(call(TEAM, "10.1.2.3:8501", cookie=f"mldebt_token_8502={TOKEN}")[0]) == 401


@pytest.mark.parametrize("header,name", [("localhost:8501", "localhost"), ("[::1]:8501", "::1"), ("[::1]", "::1"),
                                         ("Team.Example", "team.example"), ("a:b", None), ("[::1]x", None),
                                         (":8501", None), (None, None)])
def test_host_name(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize("given,address", [("127.0.0.1", "127.0.0.1"), ("Team-Box.Example", "team-box.example"),
                                           ("[::1]", "::1"), ("10.1.2.3", "10.1.2.3")])
def test_check_address(given, address):
    assert check_address(given) == address


@pytest.mark.parametrize("given", ["0.0.0.0", "::", "http://box", "box:8501", "box/x", "-box", "", "a b"])
def test_check_address_refuses_one_line(given):
    with pytest.raises(MldebtError) as refused:
        check_address(given)
    assert "\n" not in str(refused.value) and str(refused.value).startswith("--host")


def test_a_token_is_required_off_loopback_and_generated_fresh():
    assert not needs_token("127.0.0.1") and not needs_token("localhost") and needs_token("10.1.2.3")
    assert access_token("127.0.0.1", None) is None
    first, second = access_token("10.1.2.3", None), access_token("10.1.2.3", None)
    assert first != second and len(first) >= 40


def test_a_given_token_is_used_even_on_loopback_and_checked():
    assert access_token("127.0.0.1", TOKEN) == TOKEN
    for weak in ["short", "has space in it ok?", "quote\"in-the-token-x", "a" * 15]:
        with pytest.raises(MldebtError, match="MLDEBT_TOKEN: expected at least 16 characters"):
            access_token("10.1.2.3", weak)


def test_access_url():
    assert access_url("10.1.2.3", 8600, "abc") == "http://10.1.2.3:8600/?token=abc"
    assert access_url("::1", 8600, None) == "http://[::1]:8600/"


def test_door_from_the_environment():
    door = Door.from_environ({"MLDEBT_HOST": "Team.Example", "MLDEBT_TOKEN": TOKEN})
    assert door.hosts == {"localhost", "127.0.0.1", "::1", "team.example"} and door.token == TOKEN
    assert Door.from_environ({}) == LOCAL
