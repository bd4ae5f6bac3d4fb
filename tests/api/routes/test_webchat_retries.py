"""A web chat message retried with the same client message id is one bot turn, answered with the first replies."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.cases.models import CaseMessage
from api.core.clock import utcnow
from api.gateways.conversation import conversation_id_for
from api.main import create_app
from api.outbox.models import InboundMessage
from api.outbox.receipts import RECEIPT_LIFETIME, ChatReceipt
from api.worker import prune_receipts, scheduled_jobs
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa

TOKEN = "b" * 32
URL = "/chat/api/messages"


@pytest.fixture
def client(tmp_path: Path, rasa: FakeRasa) -> Iterator[TestClient]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, ACTION_SERVER_URL=rasa.url,
                         BACKGROUND_JOBS_IN_API="false") as factory:
        with TestClient(create_app()) as test_client:
            test_client.factory = factory  # type: ignore[attr-defined]
            yield test_client


def post(client: TestClient, text: str, message_id: str | None) -> dict:
    body = {"token": TOKEN, "text": text, **({"client_message_id": message_id} if message_id else {})}
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_a_retried_message_is_one_bot_turn_with_the_same_replies(client: TestClient, rasa: FakeRasa) -> None:
    rasa.replies = [{"text": "Bonjour !", "buttons": [{"title": "Mes droits", "payload": "/rights"}]}]
    first = post(client, "bonjour", "msg-0001")
    rasa.replies = [{"text": "a second turn"}]
    again = post(client, "bonjour", "msg-0001")
    assert again["replies"] == first["replies"]
    assert [r["message"] for r in rasa.received] == ["bonjour"]


def test_another_message_id_is_another_turn(client: TestClient, rasa: FakeRasa) -> None:
    post(client, "bonjour", "msg-0001")
    post(client, "bonjour", "msg-0002")
    post(client, "bonjour", None)  # no id: every request is a turn, as before
    assert len(rasa.received) == 3


def test_a_retry_while_the_first_is_answered_waits_for_its_replies(client: TestClient, rasa: FakeRasa) -> None:
    rasa.replies = [{"text": "la réponse"}]
    rasa.gate = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(post, client, "bonjour", "msg-slow-1")
        until(lambda: len(rasa.received) == 1)  # the first request is with Rasa now
        retry = pool.submit(post, client, "bonjour", "msg-slow-1")
        # The retry holds a claimed receipt and waits; then Rasa answers the first.
        until(lambda: not retry.running() or client_waits(client))
        rasa.gate.set()
        assert retry.result(timeout=60)["replies"] == first.result(timeout=60)["replies"] == [
            {"id": None, "text": "la réponse", "buttons": [], "image": None, "audio": None}]
    assert len(rasa.received) == 1


def client_waits(client: TestClient) -> bool:
    with client.factory() as session:  # type: ignore[attr-defined]
        return session.scalar(select(ChatReceipt.status)) == "processing"


def test_an_expired_receipt_is_deleted_by_the_background_jobs_and_a_fresh_one_kept(client: TestClient,
                                                                                     rasa: FakeRasa) -> None:
    post(client, "bonjour", "msg-old-01")
    with client.factory() as session:  # type: ignore[attr-defined]
        session.execute(update(ChatReceipt).values(created_at=utcnow() - RECEIPT_LIFETIME - timedelta(seconds=1)))
        session.commit()
    post(client, "merci", "msg-new-01")
    job = next(job for job in scheduled_jobs() if job.run is prune_receipts)
    assert job.every_seconds <= 60
    asyncio.run(job.run(client.factory))  # type: ignore[attr-defined]
    with client.factory() as session:  # type: ignore[attr-defined]
        assert session.scalars(select(ChatReceipt.client_message_id)).all() == ["msg-new-01"]


def test_a_receipt_keeps_the_replies_never_the_persons_text(client: TestClient, rasa: FakeRasa) -> None:
    rasa.replies = [{"text": "Bonjour !"}]
    post(client, "mon secret 1234", "msg-priv-1")
    with client.factory() as session:  # type: ignore[attr-defined]
        receipt = session.scalars(select(ChatReceipt)).one()
    assert "secret" not in str(receipt.replies) and receipt.replies[0]["text"] == "Bonjour !"


@pytest.mark.parametrize("message_id", ["short", "has space in it", "x" * 65, "<script>"])
def test_a_malformed_message_id_is_refused(client: TestClient, message_id: str) -> None:
    response = client.post(URL, json={"token": TOKEN, "text": "bonjour", "client_message_id": message_id})
    assert response.status_code == 422


def test_a_retried_message_to_the_operator_reaches_the_case_once(client: TestClient, rasa: FakeRasa) -> None:
    with client.factory() as session:  # type: ignore[attr-defined]
        case = case_held_by_operator(session, conversation_id_for("web", TOKEN), "web")
        session.commit()
        case_id = case.id
    for _ in range(2):
        post(client, "allo, vous êtes là ?", "msg-oper-1")
    with client.factory() as session:  # type: ignore[attr-defined]
        messages = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id,
                                                             CaseMessage.direction == "in")).all()
    assert len(messages) == 1 and rasa.received == []


def test_a_retry_while_rasa_is_down_is_stored_once(client: TestClient, rasa: FakeRasa) -> None:
    rasa.webhook_up = False
    first = post(client, "bonjour", "msg-down-1")
    again = post(client, "bonjour", "msg-down-1")
    assert again["replies"] == first["replies"]
    with client.factory() as session:  # type: ignore[attr-defined]
        assert len(session.scalars(select(InboundMessage)).all()) == 1
