"""The HTTP client every gateway call of this process shares: one connection pool, one TLS setup.

A new `httpx.AsyncClient` per call builds an SSL context and opens a fresh TCP connection each
time, which cost the API about half of its CPU per turn. The application's lifespan opens the
shared client at startup and closes it at shutdown (`shared_http_client`); the limits and the
default timeout come from the settings (`HTTP_MAX_CONNECTIONS`, `HTTP_TIMEOUT_SECONDS`, ...). A call
that needs a shorter wait passes its own `timeout=`.

Code running outside the application (the worker, the Telegram bridge, a test) gets a client
made on first use in its event loop; a client is never reused across event loops, whose
connections belong to the loop that opened them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from api.core.config import Settings, get_settings

_client: httpx.AsyncClient | None = None
_loop: asyncio.AbstractEventLoop | None = None


def build_client(settings: Settings) -> httpx.AsyncClient:
    """A pooled client with the configured limits and timeouts."""
    timeout = httpx.Timeout(settings.http_timeout_seconds, connect=settings.http_connect_timeout_seconds)
    limits = httpx.Limits(max_connections=settings.http_max_connections,
                          max_keepalive_connections=settings.http_max_keepalive_connections)
    return httpx.AsyncClient(timeout=timeout, limits=limits)


def http_client() -> httpx.AsyncClient:
    """This process's shared client (made now if the running event loop has none yet)."""
    global _client, _loop
    loop = asyncio.get_running_loop()
    if _client is None or _client.is_closed or _loop is not loop:
        _client, _loop = build_client(get_settings()), loop
    return _client


async def close_http_client() -> None:
    """Close the shared client (its pooled connections); the next call makes a new one.

    A client left by another, finished event loop is only dropped: its connections died with that loop.
    """
    global _client, _loop
    client, loop, _client, _loop = _client, _loop, None, None
    if client is not None and not client.is_closed and loop is asyncio.get_running_loop():
        await client.aclose()


@contextlib.asynccontextmanager
async def shared_http_client() -> AsyncIterator[httpx.AsyncClient]:
    """The client for the application's lifetime: opened at startup, closed at shutdown."""
    await close_http_client()
    client = http_client()
    try:
        yield client
    finally:
        await close_http_client()
