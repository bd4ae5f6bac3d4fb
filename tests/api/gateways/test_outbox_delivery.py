"""The outbox: a message for a person goes out once, and a failing channel loses nothing."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.core.clock import utcnow
from api.gateways.conversation import remember_identity
from api.outbox import delivery as outbound
from api.outbox.messages import BotReply, OutgoingMessage
from api.outbox.models import OutboundMessage

# The backends' fixtures of the claim race test (tests/api/cases), reused by the outbox race test.
from tests.api.cases.fixtures import BACKENDS, empty_database_url, postgres_url, sqlite_template  # noqa: F401
from tests.support.app_db import app_settings, migrated_sqlite

MESSAGES = 20
WORKERS = 2


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path) as made:
        yield made


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.postgres) if b == "postgresql" else b for b in BACKENDS])
def shared_factory(request: pytest.FixtureRequest, tmp_path: Path,
                   sqlite_template: Path) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    """A session factory on an empty migrated database that several threads share (SQLite; PostgreSQL too
    with TEST_DATABASE_URL)."""
    with app_settings({"DATABASE_URL": empty_database_url(request, tmp_path, sqlite_template)}) as made:
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


def test_two_workers_never_send_the_same_message_twice(shared_factory, monkeypatch) -> None:
    # Two delivery processes, each with its own thread, event loop and sessions. Each holds its first
    # send until the other has reached its own, so both have read the pending rows before either goes
    # on: only the claim's `status == "pending"` guard keeps them from sending the same rows again.
    for n in range(MESSAGES):
        enqueue(shared_factory, f"person-{n}", f"message {n}")
    delivered: list[str] = []
    lock = threading.Lock()
    first_send = threading.Barrier(WORKERS)
    waited: set[int] = set()

    async def record(address: str, message: OutgoingMessage) -> None:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            first_send.wait(timeout=60)
        with lock:
            delivered.append(message.text)

    monkeypatch.setattr(outbound, "_senders", {"tg": record})
    totals: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            totals.append(asyncio.run(outbound.deliver_pending(shared_factory)))
        except BaseException as exc:  # surfaced by the assertion below
            first_send.abort()
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Counter(delivered).most_common(1)[0][1] == 1
    assert sorted(delivered) == sorted(f"message {n}" for n in range(MESSAGES))
    assert sum(totals) == MESSAGES
    with shared_factory() as session:
        assert set(session.scalars(select(OutboundMessage.status))) == {"sent"}
        assert set(session.scalars(select(OutboundMessage.attempts))) == {1}


async def test_messages_of_channels_this_process_does_not_serve_are_left_for_another(factory, sent) -> None:
    with factory() as session:
        outbound.enqueue_outbound(session, "wa-abc", BotReply(text="for whatsapp"))
        session.commit()
    assert await outbound.deliver_pending(factory) == 0
    with factory() as session:
        assert session.scalars(select(OutboundMessage.status)).one() == "pending"
