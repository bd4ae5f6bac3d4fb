"""The one HTTP client the actions of this process share to reach the backend: one pool, one TLS setup.

A new `httpx.AsyncClient` per call builds an SSL context (it loads the whole CA bundle) and opens
a fresh TCP connection each time: measured with py-spy under load, that was about four fifths of
the action server's CPU per turn (`create_ssl_context`, for every directory query). The client is
made on first use in the running event loop and kept; one left by another loop (a finished test)
is replaced, since its connections belong to that loop. The server closes it when it stops
(actions/startup.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from actions.config import get_settings


@dataclass
class _Shared:
    client: httpx.AsyncClient
    loop: asyncio.AbstractEventLoop
    timeout: float


_shared: _Shared | None = None


def backend_client() -> httpx.AsyncClient:
    """This process's client for the backend, with the configured timeout (REFERRAL_TIMEOUT_S)."""
    global _shared
    loop, timeout = asyncio.get_running_loop(), get_settings().request_timeout_s
    current = _shared
    if current is None or current.client.is_closed or current.loop is not loop or current.timeout != timeout:
        current = _shared = _Shared(httpx.AsyncClient(timeout=timeout), loop, timeout)
    return current.client


async def close_backend_client() -> None:
    """Close the shared client if this loop made it; the next call makes a new one."""
    global _shared
    current, _shared = _shared, None
    if current is not None and not current.client.is_closed and current.loop is asyncio.get_running_loop():
        await current.client.aclose()
