"""The shared lock store: tickets of one conversation issued from many instances at once stay unique and in order."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_ext.lock_store import AtomicRedisLockStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set TEST_REDIS_URL=redis://127.0.0.1:6379/N")


def store(prefix: str) -> AtomicRedisLockStore:
    client = redis.Redis.from_url(REDIS_URL)
    kwargs = client.connection_pool.connection_kwargs
    return AtomicRedisLockStore(EndpointConfig(url=kwargs["host"], port=str(kwargs["port"]), db=str(kwargs["db"]),
                                               key_prefix=prefix))


@pytest.fixture
def prefix() -> str:
    name = f"locktest{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def issue_from_threads(stores: list[RedisLockStore], conversation_id: str, per_store: int) -> list[int]:
    """Every store issues tickets for the same conversation from its own thread, all at once."""
    issued: list[int] = []
    start = threading.Barrier(len(stores))

    def issue(one: RedisLockStore) -> None:
        start.wait()
        for _ in range(per_store):
            issued.append(one.issue_ticket(conversation_id, 30))

    threads = [threading.Thread(target=issue, args=(one,)) for one in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return issued


def test_tickets_issued_by_eight_instances_at_once_are_all_different(prefix: str) -> None:
    stores = [store(prefix) for _ in range(8)]
    issued = issue_from_threads(stores, "web-abc", 25)
    assert sorted(issued) == list(range(200))
    assert len(stores[0].get_lock("web-abc").tickets) == 200


def test_turns_sent_to_different_instances_at_once_never_overlap(prefix: str) -> None:
    stores = [store(prefix) for _ in range(4)]
    running, overlaps, done = [0], [0], []

    async def turn(one: AtomicRedisLockStore, number: int) -> None:
        async with one.lock("web-turns", lock_lifetime=30):
            running[0] += 1
            overlaps[0] = max(overlaps[0], running[0])
            await asyncio.sleep(0.01)
            running[0] -= 1
            done.append(number)

    async def everyone() -> None:
        await asyncio.gather(*(turn(stores[n % 4], n) for n in range(40)))

    asyncio.run(everyone())
    assert overlaps[0] == 1 and sorted(done) == list(range(40))
    assert stores[0].get_lock("web-turns") is None  # the last turn leaves no lock behind


def test_a_turn_waiting_behind_a_dead_instance_runs_once_the_dead_ticket_expires(prefix: str) -> None:
    dead, alive = store(prefix), store(prefix)
    dead.issue_ticket("web-dead", 1.0)  # its instance was killed during the turn: never cleaned up
    started = time.monotonic()

    async def turn() -> float:
        # Our own ticket has the same short lifetime, issued a moment later: it must not expire while waiting.
        async with alive.lock("web-dead", lock_lifetime=1.0):
            return time.monotonic() - started

    waited = asyncio.run(turn())
    assert 0.9 <= waited < 3
