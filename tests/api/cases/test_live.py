"""Live console events: one poller per process feeds every console, each its association's events, holding no connection."""

from __future__ import annotations

import asyncio

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from api.cases.live import LiveEventHub
from api.cases.models import LiveEvent


def add_events(factory: sessionmaker[Session], *associations: int) -> list[int]:
    with factory() as session:
        rows = [LiveEvent(association_id=a, kind="case_created", payload={"association": a}) for a in associations]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


async def collect(hub: LiveEventHub, association_id: int, after: int, wanted: int) -> list[int]:
    seen: list[int] = []
    async for batch in hub.follow(association_id, after):
        seen += [event_id for event_id, _kind, _payload in batch]
        if len(seen) >= wanted:
            return seen
    return seen


async def test_each_console_gets_its_associations_events_in_order(factory) -> None:
    hub = LiveEventHub(factory, poll_seconds=0.02)
    start = await hub.latest()
    consoles = [asyncio.create_task(collect(hub, 1, start, 3)), asyncio.create_task(collect(hub, 2, start, 1))]
    await asyncio.sleep(0.1)
    ids = add_events(factory, 1, 2, 1, 1)
    first, second = await asyncio.wait_for(asyncio.gather(*consoles), 5)
    assert first == [ids[0], ids[2], ids[3]] and second == [ids[1]]


async def test_a_reconnecting_console_gets_what_it_missed_then_what_comes(factory) -> None:
    hub = LiveEventHub(factory, poll_seconds=0.02)
    missed = add_events(factory, 1, 1)
    console = asyncio.create_task(collect(hub, 1, missed[0] - 1, 3))
    await asyncio.sleep(0.1)
    new = add_events(factory, 1)
    assert await asyncio.wait_for(console, 5) == [*missed, *new]


async def test_thirty_consoles_cost_one_query_per_poll_and_hold_no_connection(factory) -> None:
    hub = LiveEventHub(factory, poll_seconds=0.05)
    engine = factory.kw["bind"]
    queries: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    start = await hub.latest()
    consoles = [asyncio.create_task(collect(hub, 1 + n % 2, start, 1)) for n in range(30)]
    await asyncio.sleep(0.5)
    polls = [q for q in queries if "FROM live_event" in q and "max(" not in q]
    assert 3 <= len(polls) <= 15, len(polls)  # about 0.5 s / 0.05 s, not 30 consoles × 10
    held = []
    for _ in range(20):
        held.append(engine.pool.checkedout())
        await asyncio.sleep(0.01)
    assert max(held) <= 1, held  # the poller's one query at a time, not a connection per console
    add_events(factory, 1, 2)
    await asyncio.wait_for(asyncio.gather(*consoles), 5)
    await asyncio.sleep(0.1)
    assert hub._task is None  # nobody follows any more: the poller stopped
