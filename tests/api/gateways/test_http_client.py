"""One HTTP client per API process: made once, used by every gateway call, configured, closed at shutdown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.core import http_client as shared
from api.core.config import Settings
from api.gateways.conversation import ask_bot, conversation_language
from api.gateways.safety import bot_is_up, is_emergency
from api.main import lifespan
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, BACKGROUND_JOBS_IN_API="false") as made:
        yield made


@pytest.fixture
def clients_made(monkeypatch: pytest.MonkeyPatch) -> list[httpx.AsyncClient]:
    """Every httpx.AsyncClient constructed during the test."""
    made: list[httpx.AsyncClient] = []
    original = httpx.AsyncClient.__init__

    def counting(self: httpx.AsyncClient, *args: object, **kwargs: object) -> None:
        made.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting)
    return made


async def test_every_gateway_call_of_a_process_shares_one_client(factory, rasa, clients_made) -> None:
    rasa.replies = [{"text": "Bonjour"}]
    await shared.close_http_client()
    for turn in range(3):
        assert (await ask_bot(f"web-{turn}", "salut", {}))[0].text == "Bonjour"
    await conversation_language("web-0")
    await bot_is_up()
    await is_emergency("au secours")
    assert len(clients_made) == 1
    await shared.close_http_client()


async def test_the_lifespan_opens_the_client_and_closes_it_at_shutdown(factory, rasa) -> None:
    rasa.replies = [{"text": "Bonjour"}]
    async with lifespan(None):  # type: ignore[arg-type]
        client = shared.http_client()
        assert not client.is_closed
        await ask_bot("web-lifespan", "salut", {})
        assert shared.http_client() is client
    assert client.is_closed
    # After shutdown a late caller gets a fresh client rather than a closed one.
    assert not shared.http_client().is_closed
    await shared.close_http_client()


async def test_limits_and_timeouts_come_from_the_settings() -> None:
    settings = Settings(http_max_connections=7, http_max_keepalive_connections=3, http_timeout_seconds=4.5,
                        http_connect_timeout_seconds=1.5)
    client = shared.build_client(settings)
    try:
        assert client.timeout.read == 4.5 and client.timeout.connect == 1.5
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 7 and pool._max_keepalive_connections == 3
    finally:
        await client.aclose()
