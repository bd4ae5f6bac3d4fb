"""Browser-facing protections on every response and request: security headers, no caching, same-origin writes.

- Every response says `nosniff`, `Referrer-Policy: same-origin` (no address leaves for another
  site; `no-referrer` would make browsers send `Origin: null` on our own forms), may not be framed, and carries a
  Content-Security-Policy without inline script (the pages load their scripts from /static).
  Only the API docs pages (Swagger UI and ReDoc, which FastAPI serves from a CDN with an inline
  bootstrap) get a looser script policy; they show no personal data.
- HTML, JSON and event streams are `Cache-Control: no-store` unless the route chose otherwise
  (case pages and the chat hold personal data; the rights card PNG is public and cached).
- A write to the console or the login routes, or any write carrying the console cookie, must come
  from our own origin: a cross-site Origin (or `Sec-Fetch-Site: cross-site`) gets 403 before any
  route runs. Requests with neither header (curl, the action server) are not browsers and pass.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DOCS_PATHS = ("/docs", "/redoc")
NO_STORE_TYPES = (b"text/html", b"application/json", b"text/event-stream")
DOCS_CDN = "https://cdn.jsdelivr.net"


def content_security_policy(public_origin: str, docs: bool = False) -> str:
    """The policy: our own scripts, styles and connections only; images also from the public address."""
    scripts = f"'self' {DOCS_CDN} 'unsafe-inline'" if docs else "'self'"
    styles = f"'self' {DOCS_CDN} 'unsafe-inline'" if docs else "'self'"
    images = " ".join(dict.fromkeys(["'self'", "data:", public_origin] + (["https://fastapi.tiangolo.com"]
                                                                         if docs else [])))
    media = " ".join(dict.fromkeys(["'self'", public_origin]))
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", f"style-src {styles}", f"img-src {images}",
        # Voice notes and videos the console plays come through our own address (e.g. /media/telegram/…).
        f"media-src {media}",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ])


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL ('' when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response (pure ASGI, so streaming responses pass untouched)."""

    def __init__(self, app: ASGIApp, public_base_url: str) -> None:
        self.app = app
        origin = origin_of(public_base_url)
        self.policy = content_security_policy(origin).encode()
        self.docs_policy = content_security_policy(origin, docs=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs_policy if scope["path"].startswith(DOCS_PATHS) else self.policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
                added = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"DENY"), (b"content-security-policy", policy)]
                if b"cache-control" not in present and content_type.startswith(NO_STORE_TYPES):
                    added.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [(name, value) for name, value in added if name not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SameOriginWritesMiddleware:
    """Refuses cross-site writes to the console, the login routes and anything sent with the console cookie."""

    def __init__(self, app: ASGIApp, public_base_url: str, allowed_origins: list[str], cookie_name: str,
                 guarded_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = {origin_of(url) for url in [public_base_url, *allowed_origins]} - {""}
        self.cookie = cookie_name.encode() + b"="
        self.prefixes = guarded_prefixes

    def _guarded(self, scope: Scope) -> bool:
        if scope["method"] in SAFE_METHODS:
            return False
        if scope["path"].startswith(self.prefixes):
            return True
        cookies = b";".join(value for name, value in scope["headers"] if name == b"cookie")
        return self.cookie in cookies

    def _same_origin(self, scope: Scope) -> bool:
        headers = {name: value.decode("latin-1") for name, value in scope["headers"]}
        origin = headers.get(b"origin")
        if origin is not None:
            host = headers.get(b"host", "")
            return origin in self.allowed or (origin != "null" and urlsplit(origin).netloc == host and bool(host))
        return headers.get(b"sec-fetch-site", "same-origin") in ("same-origin", "none")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._guarded(scope) or self._same_origin(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"code": "cross_site_request",
                           "detail": "This request did not come from the console's own pages."}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
