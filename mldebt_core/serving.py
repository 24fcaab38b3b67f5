"""The dashboard's door: which Host headers and which visitors the server answers, and the headers it sends.

`Guard` is a plain ASGI middleware (no Streamlit, no Starlette), put in front of every Streamlit route by
serve.py through `st.App(middleware=...)`. `mldebt app` decides the address and the token and hands them to
the server in the environment (MLDEBT_HOST, MLDEBT_TOKEN); see docs/security.md, "Serving a team".
"""

import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from mldebt_core.errors import MldebtError
from mldebt_core.settings import DEFAULT_SERVING_SETTINGS, ServingSettings

HOST_ENV = "MLDEBT_HOST"
TOKEN_ENV = "MLDEBT_TOKEN"
TOKEN_PARAMETER = "token"
OPEN_PATHS = frozenset({"/_stcore/health"})  # says "ok" and nothing else: a readiness probe needs no token
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_TOKEN = re.compile(r"[A-Za-z0-9_~.-]+")  # survives a URL and a cookie unquoted


def check_address(address: str) -> str:
    """The `--host` value as the Host header names it (lower case, IPv6 without brackets), or one refusal."""
    name = address.strip().lower().removeprefix("[").removesuffix("]")
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        if not _NAME.fullmatch(name) or len(name) > 253:
            raise MldebtError(f"--host {address!r}: expected an IP address or a host name (letters, digits, "
                              f"dots and hyphens), without a scheme or a port") from None
        return name
    if ip.is_unspecified:
        raise MldebtError(f"--host {address}: give the address or name your team opens; the server answers "
                          f"only to that name and to localhost, so every interface ({address}) would refuse all")
    return ip.compressed


def needs_token(address: str, settings: ServingSettings = DEFAULT_SERVING_SETTINGS) -> bool:
    """Serving on anything but this machine's loopback names lets others in: then a token is required."""
    return address not in settings.local_hosts


def access_token(address: str, given: str | None,
                 settings: ServingSettings = DEFAULT_SERVING_SETTINGS) -> str | None:
    """The token the server will require: the one given (MLDEBT_TOKEN), else a new one when the address
    needs one, else None (loopback only, no token)."""
    if given:
        if len(given) < settings.min_token_chars or not _TOKEN.fullmatch(given):
            raise MldebtError(f"{TOKEN_ENV}: expected at least {settings.min_token_chars} characters among "
                              f"letters, digits and - _ . ~ (e.g. from `python -c 'import secrets; "
                              f"print(secrets.token_urlsafe())'`)")
        return given
    return secrets.token_urlsafe(settings.token_bytes) if needs_token(address, settings) else None


def access_url(address: str, port: int, token: str | None) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/" + (f"?{TOKEN_PARAMETER}={token}" if token else "")


@dataclass(frozen=True)
class Door:
    """What the server lets in: requests naming one of `hosts`, carrying `token` when there is one."""

    hosts: frozenset[str]
    token: str | None

    @classmethod
    def from_environ(cls, environ, settings: ServingSettings = DEFAULT_SERVING_SETTINGS) -> "Door":
        address = environ.get(HOST_ENV) or ""
        hosts = set(settings.local_hosts) | ({check_address(address)} if address else set())
        token = environ.get(TOKEN_ENV) or None
        return cls(frozenset(hosts), access_token("localhost", token, settings) if token else None)


def host_name(header: str | None) -> str | None:
    """The host of a Host header without its port ("[::1]:8501" -> "::1"), or None when it is malformed."""
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        return name if bracket and (not rest or rest[1:].isdigit() and rest[0] == ":") else None
    name, _, port = header.partition(":")
    return name if name and (not port or port.isdigit()) else None


class Guard:
    """ASGI middleware: 403 for a Host header not in the door's hosts (DNS rebinding), 401 without the token
    (a `?token=` query parameter is swapped for an HttpOnly cookie and a redirect), and the security headers
    on every HTTP response. A refused WebSocket upgrade is closed before it is accepted: the client sees 403."""

    def __init__(self, app, door: Door, settings: ServingSettings = DEFAULT_SERVING_SETTINGS):
        self.app, self.door = app, door
        self.headers = [(b"content-security-policy", settings.content_security_policy.encode()),
                        (b"x-frame-options", b"SAMEORIGIN"), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer")]

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):  # lifespan
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if host_name(headers.get("host")) not in self.door.hosts:
            return await self._refuse(scope, send, 403, "This dashboard answers only to its own address; "
                                                        "open it by the address `mldebt app` printed.")
        if self.door.token is not None:
            cookie = _cookie_name(scope)
            given = [value for name, value in _query(scope) if name == TOKEN_PARAMETER]
            if given and scope["type"] == "http":
                if not self._valid(given[-1]):
                    return await self._refuse(scope, send, 401, "This access token is not the dashboard's.")
                return await self._sign_in(scope, send, cookie)
            if not (self._valid(_cookies(headers.get("cookie", "")).get(cookie)) or scope["path"] in OPEN_PATHS):
                return await self._refuse(scope, send, 401, "This dashboard needs its access token: open the "
                                                            "address with ?token=… that `mldebt app` printed.")
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        await self.app(scope, receive, self._with_headers(send))

    def _valid(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.door.token.encode())

    def _with_headers(self, send):
        names = {name for name, _ in self.headers}

        async def sending(message):
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": kept + self.headers}
            await send(message)
        return sending

    async def _sign_in(self, scope, send, cookie: str) -> None:
        """Trade the token in the address for a cookie, and reload without it (no token in the history)."""
        rest = [(name, value) for name, value in _query(scope) if name != TOKEN_PARAMETER]
        path = quote(scope.get("root_path", "") + scope["path"], safe="/:@!$&'()*+,;=-._~")  # no CR LF: one header
        location = "/" + path.lstrip("/") + (f"?{urlencode(rest)}" if rest else "")  # "//x" would leave the site
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        await self._respond(send, 303, b"", [
            (b"location", location.encode()),
            (b"set-cookie", f"{cookie}={self.door.token}; Path=/; HttpOnly; SameSite=Lax{secure}".encode())])

    async def _refuse(self, scope, send, status: int, reason: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the server answers 403
            return
        await self._respond(send, status, reason.encode() + b"\n",
                            [(b"content-type", b"text/plain; charset=utf-8")])

    async def _respond(self, send, status: int, body: bytes, headers) -> None:
        headers = [*headers, (b"content-length", str(len(body)).encode()), *self.headers]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _query(scope) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {name: value for name, _, value in pairs if name}


def _cookie_name(scope) -> str:
    """One cookie per port: two dashboards on one machine (cookies ignore ports) keep their own tokens."""
    server = scope.get("server") or (None, None)
    return f"mldebt_token_{server[1]}" if server[1] else "mldebt_token"
