"""Rasa's calls to the action server and the NLG endpoint over kept-alive connections.

Rasa 3.6's `EndpointConfig.request` opens a new `aiohttp.ClientSession` (a new connection pool)
for every call and closes it afterwards: each action call and each uttered response's NLG call
is a new TCP connection that Rasa, the action server and the API all set up and tear down (py-spy
under load: connection setup was the largest part of Rasa's HTTP time).

`install()` (called by `python -m botserver` before Rasa starts) makes `EndpointConfig.session()`
hand out one session per set of headers and credentials and per event loop, and the `async with`
that Rasa wraps around it no longer closes it, so connections are reused. A connection idle for
KEEPALIVE_SECONDS is dropped: less than the servers' own keep-alive timeout (uvicorn and Sanic
close after 5 s), so Rasa never sends on a connection the server is closing. Everything else
(URL, token, timeout, errors) stays Rasa's.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Tuple

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 3.0
original_session = EndpointConfig.session
_sessions: Dict[Tuple[Any, ...], Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


class KeptSession:
    """`async with` over a session that outlives the block (Rasa's `request` uses the session that way)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc_info: Any) -> None:
        return None


def _auth(endpoint: EndpointConfig) -> Optional[aiohttp.BasicAuth]:
    credentials = endpoint.basic_auth
    return aiohttp.BasicAuth(credentials["username"], credentials["password"]) if credentials else None


def kept_session(endpoint: EndpointConfig) -> Any:
    """The running loop's session for this endpoint's headers and credentials, made on first use."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop: nothing to keep a connection for
        return original_session(endpoint)
    key = (id(loop), tuple(sorted(endpoint.headers.items())), tuple(sorted(endpoint.basic_auth.items())))
    kept = _sessions.get(key)
    if kept is None or kept[0] is not loop or kept[1].closed:
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
        session = aiohttp.ClientSession(headers=endpoint.headers, auth=_auth(endpoint), connector=connector,
                                        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
        _sessions[key] = kept = (loop, session)
    return KeptSession(kept[1])


async def close_sessions() -> None:
    """Close the sessions made in the running loop (tests; the server's end closes its sockets anyway)."""
    loop = asyncio.get_running_loop()
    for key, (owner, session) in list(_sessions.items()):
        if owner is loop:
            del _sessions[key]
            await session.close()


def install() -> None:
    """Make every `EndpointConfig` of this process reuse its connections."""
    EndpointConfig.session = kept_session
