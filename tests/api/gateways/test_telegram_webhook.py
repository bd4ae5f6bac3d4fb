"""Telegram in webhook mode: only updates carrying our secret are processed; operators fetch media."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.auth.deps import current_operator
from api.cases.models import Operator
from api.routes.telegram_webhook import router
from tests.api.gateways.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.api.gateways.webhook_requests import gateway_app

CHAT_ID = 11223344
UPDATE = {"update_id": 5, "message": {"message_id": 3, "date": int(time.time()), "text": "bonjour",
                                      "chat": {"id": CHAT_ID, "type": "private"},
                                      "from": {"id": CHAT_ID, "is_bot": False, "first_name": "K"}}}


@pytest.fixture
def app(factory):  # type: ignore[no-untyped-def]
    return gateway_app(router)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_an_update_without_the_webhook_secret_is_refused_and_not_processed(client, clouds, secret) -> None:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    response = client.post("/webhooks/telegram", json=UPDATE, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_telegram_secret"
    assert clouds.rasa.received == [] and clouds.telegram.sent() == []


def test_an_update_with_the_secret_is_answered_in_the_chat(client, clouds) -> None:
    clouds.rasa.replies = [{"text": "Salut !"}]
    response = client.post("/webhooks/telegram", json=UPDATE,
                           headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 200
    assert clouds.rasa.received[0]["message"] == "bonjour"
    assert [(int(m["chat_id"]), m["text"]) for m in clouds.telegram.sent()] == [(CHAT_ID, "Salut !")]


def test_a_person_media_is_served_to_a_logged_in_operator_only(app, client, clouds) -> None:
    assert client.get("/media/telegram/VOICE-9").status_code == 401
    assert clouds.telegram.sent("getFile") == []
    app.dependency_overrides[current_operator] = lambda: Operator(id=1, email="op@example.org", role="operator")
    response = client.get("/media/telegram/VOICE-9")
    assert response.status_code == 200
    assert response.content == clouds.telegram.file_content
    assert response.headers["content-type"] == "audio/ogg"
    assert clouds.telegram.sent("getFile") == [{"file_id": "VOICE-9"}]


def test_neither_the_bot_token_nor_the_chat_id_appears_in_the_logs(app, client, clouds, caplog) -> None:
    caplog.set_level("INFO")
    clouds.rasa.replies = [{"text": "Salut !"}]
    client.post("/webhooks/telegram", json=UPDATE, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    app.dependency_overrides[current_operator] = lambda: Operator(id=1, email="op@example.org", role="operator")
    client.get("/media/telegram/VOICE-9")
    assert clouds.telegram.sent() and clouds.telegram.sent("getFile") and caplog.records
    for needle in (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], str(CHAT_ID)):
        assert needle not in caplog.text
