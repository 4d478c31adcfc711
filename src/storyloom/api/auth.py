"""Token check for a studio reachable from other machines.

On 127.0.0.1 / localhost the studio needs no token. Anywhere else every request (API,
static page, media, event streams) must carry the token: ``Authorization: Bearer T``,
``?token=T`` or the ``storyloom_token`` cookie that a correct ``?token=`` sets, so
``<video src>`` and ``EventSource`` work after the page was opened once with its link.

On localhost (no token) :class:`LocalOnly` guards against other web sites instead: a
request must name a loopback host (``Host:``), so a page that rebinds its own domain to
127.0.0.1 (DNS rebinding) reads nothing, and a change sent from another site's page
(``Origin:`` not this studio) is refused, so a form on that page cannot post uploads.

    >>> is_local_host("127.0.0.1"), is_local_host("0.0.0.0")
    (True, False)
"""
from __future__ import annotations

import ipaddress
import json
import secrets
from typing import Optional

from starlette.datastructures import Headers, QueryParams
from starlette.requests import cookie_parser

COOKIE = "storyloom_token"


def is_local_host(host: str) -> bool:
    """True for loopback addresses and ``localhost`` (nothing else can connect there).

    >>> is_local_host("::1"), is_local_host("192.168.1.5")
    (True, False)
    """
    host = (host or "").strip("[]").lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random token (``secrets.token_urlsafe``)."""
    return secrets.token_urlsafe(24)


class TokenAuth:
    """ASGI middleware: 401 unless the request carries ``token`` (header, query or cookie)."""

    def __init__(self, app, token: str):
        self.app = app
        self.token = token

    def _matches(self, value: Optional[str]) -> bool:
        return bool(value) and secrets.compare_digest(value.encode(), self.token.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        by_header = auth[:7].lower() == "bearer " and self._matches(auth[7:].strip())
        by_cookie = self._matches(cookie_parser(headers.get("cookie", "")).get(COOKIE))
        by_query = self._matches(QueryParams(scope.get("query_string", b"")).get("token"))
        if not (by_header or by_cookie or by_query):
            body = json.dumps({"detail": "this studio needs its access token: open the link printed by "
                                         "`storyloom serve` (…?token=…) or send 'Authorization: Bearer <token>'"}
                              ).encode()
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 4401})
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"www-authenticate", b"Bearer")]})
            return await send({"type": "http.response.body", "body": body})
        if not by_query or by_cookie:
            return await self.app(scope, receive, send)
        cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()

        async def send_with_cookie(message):
            # a correct ?token= leaves a cookie, so later media and page requests need no query
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)
        await self.app(scope, receive, send_with_cookie)


def _host_of(value: str) -> str:
    """The host of a ``Host`` header or an origin, without scheme or port.

    >>> _host_of("127.0.0.1:8765"), _host_of("[::1]:80"), _host_of("http://localhost:8765")
    ('127.0.0.1', '::1', 'localhost')
    """
    value = value.strip().lower().split("://", 1)[-1].split("/", 1)[0]
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class LocalOnly:
    """ASGI middleware for a studio without a token: 403 unless the ``Host`` is a loopback
    name, and for changes (not GET/HEAD/OPTIONS) unless any ``Origin`` is this studio or
    one of ``origins`` (the CORS origins the user allowed)."""

    def __init__(self, app, origins=()):
        self.app = app
        self.origins = {o.rstrip("/").lower() for o in origins}

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name = _host_of(host)
        why = None
        if host and not is_local_host(name):
            why = (f"this studio answers on 127.0.0.1 only, not as {host!r}: open http://127.0.0.1 "
                   f"(or serve with --host and a token to reach it by another name)")
        origin = headers.get("origin")
        if why is None and origin and scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            # host and port: a page of another local server (localhost:3000) is another site
            here = origin.rstrip("/").lower().split("://", 1)[-1] == host.lower()
            if origin.rstrip("/").lower() not in self.origins and not here:
                why = f"changes from another site's page ({origin}) are refused"
        if why is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 4403})
        body = json.dumps({"detail": why}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
