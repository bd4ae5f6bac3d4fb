"""Rasa's endpoint calls reuse their connections, with Rasa's headers and credentials still on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from botserver import kept_connections
from tests.support.local_http import serving

ROOT = Path(__file__).resolve().parents[2]


class CountingServer:
    """Answers `{"ok": true}`; records each request's client port and Authorization header."""

    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.authorizations: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        self.authorizations.append(request.headers.get("Authorization", ""))
        return web.json_response({"ok": True})


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    counting = CountingServer()
    app = web.Application()
    app.router.add_post("/nlg", counting.handle)
    async with serving(app) as url:
        counting.url = f"{url}/nlg"
        yield counting
        await kept_connections.close_sessions()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", kept_connections.kept_session)


async def test_successive_calls_share_one_connection(server: CountingServer, installed: None) -> None:
    endpoint = EndpointConfig(server.url, headers={"Authorization": "Bearer nlg-token"})
    for _ in range(3):
        assert await endpoint.request(method="post", json={"response": "utter_greet"}) == {"ok": True}
    assert len(set(server.peers)) == 1, server.peers
    assert server.authorizations == ["Bearer nlg-token"] * 3


async def test_endpoints_with_other_credentials_do_not_share_a_session(server: CountingServer,
                                                                      installed: None) -> None:
    await EndpointConfig(server.url, headers={"Authorization": "Bearer one"}).request(method="post", json={})
    await EndpointConfig(server.url, headers={"Authorization": "Bearer two"}).request(method="post", json={})
    assert server.authorizations == ["Bearer one", "Bearer two"]
    assert len(set(server.peers)) == 2

