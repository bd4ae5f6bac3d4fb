"""Live console events in one API process: one poller reads new events for every console connected here.

Events are rows of `live_event`, written by whichever process acted (any API worker, the action
server's referral through any worker), so a console connected to any worker sees everything. Each
process polls the table once per interval, however many consoles it serves, and hands each
console the events of its association; a console holds no database connection while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.cases.events import live_events_since
from api.cases.models import LiveEvent

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH = 500

Event = tuple[int, str, dict[str, Any]]


@dataclass
class _Console:
    association_id: int
    queue: asyncio.Queue[list[Event]] = field(default_factory=asyncio.Queue)


class LiveEventHub:
    """The process's poller and the consoles it feeds (start it lazily, from the event loop)."""

    def __init__(self, factory: sessionmaker[Session], poll_seconds: float = POLL_SECONDS) -> None:
        self.factory, self.poll_seconds = factory, poll_seconds
        self._consoles: dict[int, _Console] = {}
        self._ids = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.position = 0  # the newest event id every console has been handed

    def _read_new(self, after: int) -> list[tuple[int, int, str, dict[str, Any]]]:
        with self.factory() as session:
            rows = session.scalars(select(LiveEvent).where(LiveEvent.id > after).order_by(LiveEvent.id).limit(BATCH))
            return [(e.id, e.association_id, e.kind, e.payload) for e in rows]

    def _latest(self) -> int:
        with self.factory() as session:
            return session.scalar(select(func.max(LiveEvent.id))) or 0

    def _since(self, association_id: int, after: int, until: int) -> list[Event]:
        with self.factory() as session:
            return [(e.id, e.kind, e.payload) for e in live_events_since(session, association_id, after, BATCH)
                    if e.id <= until]

    async def _poll(self) -> None:
        self.position = await asyncio.to_thread(self._latest)
        self._ready.set()
        while self._consoles:
            try:
                rows = await asyncio.to_thread(self._read_new, self.position)
            except Exception:  # the database is away for a moment: consoles wait, the next poll retries
                logger.exception("live_events_poll_failed")
                rows = []
            if rows:
                self.position = rows[-1][0]
                for console in list(self._consoles.values()):
                    mine = [(i, kind, payload) for i, association, kind, payload in rows
                            if association == console.association_id]
                    if mine:
                        console.queue.put_nowait(mine)
            if len(rows) < BATCH:
                await asyncio.sleep(self.poll_seconds)
        self._task = None

    async def latest(self) -> int:
        """Where a new console starts (it only wants what happens from now on)."""
        return await asyncio.to_thread(self._latest)

    async def follow(self, association_id: int, after: int) -> AsyncIterator[list[Event]]:
        """Batches of the association's events newer than `after`, as they come, until the caller stops."""
        key, console = next(self._ids), _Console(association_id)
        self._consoles[key] = console
        if self._task is None:
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(self._poll())
        try:
            await self._ready.wait()
            # What happened between `after` (a reconnecting console's Last-Event-ID) and the poller's position.
            position = self.position
            while after < position:
                missed = await asyncio.to_thread(self._since, association_id, after, position)
                if not missed:
                    break
                after = missed[-1][0]
                yield missed
            while True:
                batch = [event for event in await console.queue.get() if event[0] > after]
                if batch:
                    after = batch[-1][0]
                    yield batch
        finally:
            self._consoles.pop(key, None)
            if not self._consoles and self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None


_hubs: dict[int, LiveEventHub] = {}


def hub_for(factory: sessionmaker[Session]) -> LiveEventHub:
    """The process's hub for this session factory (one per database)."""
    hub = _hubs.get(id(factory))
    if hub is None:
        hub = _hubs[id(factory)] = LiveEventHub(factory)
    return hub
