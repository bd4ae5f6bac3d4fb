"""The worker and its job loop (api/jobs.py): one process runs each round; a message a dead sender claimed is sent."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api import jobs, worker
from api.core.clock import utcnow
from api.db import make_engine
from api.gateways.conversation import remember_identity
from api.outbox import delivery as outbound
from api.outbox.messages import BotReply, OutgoingMessage
from api.outbox.models import OutboundMessage
from tests.support.app_db import migrated_sqlite

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(not DATABASE_URL, reason="advisory locks need PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path) as made:
        yield made


def queued(factory: sessionmaker[Session], text: str, status: str, lease_ends_in: timedelta) -> int:
    with factory() as session:
        conversation_id = remember_identity(session, "tg", "4242")
        row = outbound.enqueue_outbound(session, conversation_id, BotReply(text=text))
        row.status, row.next_attempt_at = status, utcnow() + lease_ends_in
        session.commit()
        return row.id


async def test_a_message_claimed_by_a_sender_that_died_is_sent_once_its_lease_is_over(factory, monkeypatch) -> None:
    sent: list[str] = []

    async def record(_address: str, message: OutgoingMessage) -> None:
        sent.append(message.text)

    monkeypatch.setattr(outbound, "_senders", {"tg": record})
    queued(factory, "claimed by a worker killed mid-send", "sending", -timedelta(seconds=1))
    queued(factory, "being sent right now", "sending", outbound.SENDING_LEASE)
    await worker.deliver_outbox(factory)
    await worker.deliver_outbox(factory)
    assert sent == ["claimed by a worker killed mid-send"]


async def test_a_claim_holds_the_message_for_the_lease(factory, monkeypatch) -> None:
    seen: list[object] = []

    async def look(_address: str, _message: OutgoingMessage) -> None:
        with factory() as session:
            seen.append(session.get(OutboundMessage, row_id).next_attempt_at)

    monkeypatch.setattr(outbound, "_senders", {"tg": look})
    row_id = queued(factory, "hello", "pending", -timedelta(seconds=1))
    await outbound.deliver_pending(factory)
    lease_end = seen[0].replace(tzinfo=seen[0].tzinfo or utcnow().tzinfo)  # SQLite drops the zone
    assert lease_end > utcnow() + outbound.SENDING_LEASE - timedelta(seconds=30)


def test_on_sqlite_every_process_may_run_a_round() -> None:
    with jobs.exclusive(make_engine("sqlite://"), "outbox") as held:
        assert held


@needs_postgres
def test_a_job_round_runs_in_one_process_at_a_time_on_postgresql() -> None:
    running, most, ran, skipped = [0], [0], [0], [0]
    guard = threading.Lock()

    async def job(_factory: object) -> None:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        await asyncio.sleep(0.05)
        with guard:
            running[0] -= 1

    scheduled = jobs.ScheduledJob("test_once_across_processes", job, 1.0)
    start = threading.Barrier(6)

    def process() -> None:  # one engine each, as separate worker processes would have
        engine = make_engine(DATABASE_URL)
        start.wait()
        deadline = time.monotonic() + 1.5
        try:
            while time.monotonic() < deadline:
                took = asyncio.run(jobs.run_job_once(scheduled, None, engine))  # type: ignore[arg-type]
                with guard:
                    (ran if took else skipped)[0] += 1
        finally:
            engine.dispose()

    threads = [threading.Thread(target=process) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1, f"{most[0]} rounds of one job ran at the same time"
    assert ran[0] > 5 and skipped[0] > 0


@needs_postgres
def test_a_process_that_dies_holding_the_lock_frees_it() -> None:
    holder, other = make_engine(DATABASE_URL), make_engine(DATABASE_URL)
    try:
        connection = holder.connect()
        assert connection.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({jobs.advisory_key('test_dead_holder')})").scalar()
        with jobs.exclusive(other, "test_dead_holder") as held:
            assert not held
        connection.invalidate()  # its connection closes, as a killed process's does
        # The server frees the lock once it has seen the connection close: soon, not at once.
        deadline = time.monotonic() + 10
        held = False
        while not held and time.monotonic() < deadline:
            with jobs.exclusive(other, "test_dead_holder") as held:
                pass
            if not held:
                time.sleep(0.05)
        assert held
    finally:
        holder.dispose()
        other.dispose()
