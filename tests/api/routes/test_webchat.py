"""The web chat page and its JSON endpoints, through the real gateway and a local fake Rasa."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.gateways.conversation import conversation_id_for
from api.nlg.render import render_response
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import BotReply
from tests.support.fake_rasa import FakeRasa

TOKEN = "a" * 32


@pytest.fixture
def client(webchat_client: TestClient) -> TestClient:
    return webchat_client


def test_the_chat_page_speaks_the_visitors_language(client: TestClient) -> None:
    page = client.get("/chat", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert page.status_code == 200
    assert render_response("webchat.title", "en", {}).text in page.text
    assert 'lang="en" dir="ltr"' in page.text


def test_the_chat_page_is_right_to_left_in_arabic(client: TestClient) -> None:
    page = client.get("/chat?lang=ar")
    assert 'lang="ar" dir="rtl"' in page.text


def test_a_message_returns_the_bots_replies_with_buttons(client: TestClient, rasa: FakeRasa) -> None:
    rasa.replies = [{"text": "Bonjour !", "buttons": [{"title": "1. Mes droits", "payload": "/rights_free_care"}]}]
    response = client.post("/chat/api/messages", json={"token": TOKEN, "text": "bonjour"})
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"] == conversation_id_for("web", TOKEN)
    assert body["replies"] == [{"id": None, "text": "Bonjour !", "image": None, "audio": None,
                                "buttons": [{"title": "1. Mes droits", "payload": "/rights_free_care"}]}]


def test_an_empty_message_is_refused_with_a_clear_error(client: TestClient) -> None:
    response = client.post("/chat/api/messages", json={"token": TOKEN, "text": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "text"]


def test_an_operator_message_reaches_the_page_through_the_outbox(client: TestClient, rasa: FakeRasa) -> None:
    client.post("/chat/api/messages", json={"token": TOKEN, "text": "bonjour"})
    with client.factory() as session:  # type: ignore[attr-defined]
        enqueue_outbound(session, conversation_id_for("web", TOKEN), BotReply(text="<b>Je suis Amina</b>"))
        session.commit()
    updates: list[dict] = []
    for _ in range(50):
        updates = client.get("/chat/api/updates", params={"after": 0}, headers={"X-Chat-Token": TOKEN}).json()
        if updates:
            break
        time.sleep(0.1)
    assert [u["text"] for u in updates] == ["<b>Je suis Amina</b>"]
    later = client.get("/chat/api/updates", params={"after": updates[0]["id"]},
                       headers={"X-Chat-Token": TOKEN}).json()
    assert later == []
