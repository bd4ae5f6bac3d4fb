"""The outbox: a message for a person goes out once, and a failing channel loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.gateways import outbound
from api.gateways.conversation import remember_identity
from api.gateways.messages import BotReply, OutgoingMessage
from api.gateways.models import OutboundMessage, utcnow
from tests.support.app_db import migrated_sqlite


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path) as made:
        yield made


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, OutgoingMessage]]:
    deliveries: list[tuple[str, OutgoingMessage]] = []

    async def record(address: str, message: OutgoingMessage) -> None:
        deliveries.append((address, message))

    monkeypatch.setattr(outbound, "_senders", {"tg": record})
    return deliveries


def enqueue(factory, raw_id: str, text: str) -> str:
    with factory() as session:
        conversation_id = remember_identity(session, "tg", raw_id)
        outbound.enqueue_outbound(session, conversation_id, BotReply(text=text))
        session.commit()
    return conversation_id


async def test_an_outbox_message_is_sent_once_to_the_decrypted_address(factory, sent) -> None:
    enqueue(factory, "777", "Un opérateur vous répond")
    assert await outbound.deliver_pending(factory) == 1
    assert await outbound.deliver_pending(factory) == 0
    assert [(a, m.text) for a, m in sent] == [("777", "Un opérateur vous répond")]


async def test_a_failed_delivery_stays_in_the_outbox_and_is_retried(factory, monkeypatch) -> None:
    attempts: list[str] = []

    async def flaky(address: str, message: OutgoingMessage) -> None:
        attempts.append(message.text)
        if len(attempts) == 1:
            raise ConnectionError("channel down")

    monkeypatch.setattr(outbound, "_senders", {"tg": flaky})
    enqueue(factory, "888", "hello")
    assert await outbound.deliver_pending(factory) == 0
    with factory() as session:
        row = session.scalars(select(OutboundMessage)).one()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionError")
        assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
        session.execute(update(OutboundMessage).values(next_attempt_at=utcnow()))
        session.commit()
    assert await outbound.deliver_pending(factory) == 1
    assert attempts == ["hello", "hello"]


async def test_two_workers_never_send_the_same_message_twice(factory, sent) -> None:
    for n in range(20):
        enqueue(factory, f"person-{n}", f"message {n}")
    results = await asyncio.gather(outbound.deliver_pending(factory), outbound.deliver_pending(factory))
    assert sum(results) == 20
    assert sorted(m.text for _, m in sent) == sorted(f"message {n}" for n in range(20))


async def test_messages_of_channels_this_process_does_not_serve_are_left_for_another(factory, sent) -> None:
    with factory() as session:
        outbound.enqueue_outbound(session, "wa-abc", BotReply(text="for whatsapp"))
        session.commit()
    assert await outbound.deliver_pending(factory) == 0
    with factory() as session:
        assert session.scalars(select(OutboundMessage.status)).one() == "pending"
