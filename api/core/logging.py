"""Structured logging: one event per line as key=value pairs, never personal data at any level.

The access log is ours (`AccessLogMiddleware`): method, route template, status and duration, never
the query string or the concrete path (paths and queries can hold tokens and conversation ids).
Libraries that log URLs (httpx at INFO logs every request it sends, with its query) are kept at WARNING.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Loggers that would print URLs or request lines; uvicorn's access log is off (api/server.py).
QUIET_LOGGERS = ("httpx", "httpcore", "uvicorn.access")


class KeyValueFormatter(logging.Formatter):
    """Formats records as `ts=... level=... logger=... event=... k=v` lines."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields.update(getattr(record, "fields", {}) or {})
        line = " ".join(f"{k}={_quote(v)}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _quote(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if (" " in text or "=" in text) else text


def configure_logging(level: str = "INFO") -> None:
    """Install the key=value formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, KeyValueFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root.handlers = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event; callers pass ids and codes, never names, numbers or message text."""
    logger.log(level, event, extra={"fields": fields})


def route_template(scope: Scope) -> str:
    """`/cases/{case_id}` for a route, `/static/*` for a mounted directory, `unmatched` otherwise."""
    route = scope.get("route")
    if getattr(route, "path", None):
        return str(route.path)  # type: ignore[union-attr]
    mounted = scope.get("root_path") or ""
    return f"{mounted}/*" if mounted else "unmatched"


class AccessLogMiddleware:
    """One `http_request` line per request: method, route template (`/cases/{case_id}`), status, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger("api.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_and_remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_remember)
        finally:
            log_event(self.logger, "http_request", method=scope["method"], route=route_template(scope),
                      status=status["code"], ms=round((time.perf_counter() - started) * 1000))
