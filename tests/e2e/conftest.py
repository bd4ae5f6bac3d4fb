"""One real stack (trained model, Rasa, action server, API) shared by the end-to-end tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine
from tests.e2e.stack import Stack, ensure_model


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    ensure_model()
    running = Stack(workdir=tmp_path_factory.mktemp("stack"))
    # The test process computes conversation ids and decrypts as the stack does: same keys.
    keys = pytest.MonkeyPatch()
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS"):
        keys.setenv(name, running.secrets[name])
    forget_cached_keys()
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()
        keys.undo()
        forget_cached_keys()


def forget_cached_keys() -> None:
    from api import crypto
    from api.core.config import get_settings

    get_settings.cache_clear()
    crypto._fernet.cache_clear()


class WebChatPerson:
    """A person typing in the web chat of a running stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.token = uuid.uuid4().hex
        self.conversation_id: str | None = None

    def say(self, text: str) -> list[dict]:
        """Send a message (or a button payload) and return the replies."""
        response = httpx.post(f"{self.stack.api_url}/chat/api/messages",
                              json={"token": self.token, "text": text}, timeout=60)
        response.raise_for_status()
        body = response.json()
        self.conversation_id = body["conversation_id"]
        return body["replies"]

    def say_location(self, latitude: float, longitude: float) -> list[dict]:
        """Share a location (the gateway turns it into `/share_location{...}`) and return the replies."""
        response = httpx.post(f"{self.stack.api_url}/chat/api/messages",
                              json={"token": self.token, "text": "\N{ROUND PUSHPIN}", "latitude": latitude,
                                    "longitude": longitude}, timeout=60)
        response.raise_for_status()
        body = response.json()
        self.conversation_id = body["conversation_id"]
        return body["replies"]

    def updates(self, after: int = 0) -> list[dict]:
        """Messages that reached the chat outside a request, as the page polls them (token in a header)."""
        response = httpx.get(f"{self.stack.api_url}/chat/api/updates", params={"after": after},
                             headers={"X-Chat-Token": self.token}, timeout=10)
        response.raise_for_status()
        return response.json()

    def slots(self) -> dict:
        """The conversation's slots as Rasa holds them."""
        response = httpx.get(f"{self.stack.rasa_url}/conversations/{self.conversation_id}/tracker",
                             params={"include_events": "NONE", **self.stack.rasa_params}, timeout=10)
        response.raise_for_status()
        return response.json()["slots"]


@pytest.fixture(scope="module")
def database(stack: Stack) -> Iterator[sessionmaker[Session]]:
    """Sessions on the stack's own app database (SQLite), to seed operators and read what was stored."""
    engine = make_engine(stack.database_url)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


@pytest.fixture
def person(stack: Stack) -> WebChatPerson:
    return WebChatPerson(stack)
