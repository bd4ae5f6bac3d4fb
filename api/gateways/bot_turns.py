"""At most `BOT_TURNS_IN_FLIGHT` bot turns of an API process are with Rasa at once; the others wait, first come first served.

A turn is not one piece of work: Rasa parses the message, calls the action server, which may call
the API's directory, and Rasa answers. Each of those hops joins the queue of the process it
reaches. With every turn let through at once, 20 people typing without a pause meant about 20
turns waiting at each hop, and a turn with more hops (a town, then the places nearby) waited at
each of them: about 2.3 times as long as a thank-you, for 1.6 times its CPU. With a few turns in
flight and the rest waiting here, in order, a turn crosses the processes without queueing behind
all the others, and the waits are shared evenly: at 20 people, p95 about 400 → 300 ms for the same
throughput (bench/results/2026-12-07-turns-in-flight.md). A single person waits for nothing.

The default, 2 x cores + 1, keeps every core busy (a turn is in the API, Rasa or the action server
at any moment) without long queues inside them. A turn that cannot get a slot within
`RASA_TIMEOUT_SECONDS` is handled as Rasa being unavailable: the message is kept and answered later.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from api.core.config import Settings


class NoTurnSlot(Exception):
    """Every slot stayed taken for the whole wait."""


_slots: tuple[asyncio.AbstractEventLoop, int, asyncio.Semaphore] | None = None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_turns_in_flight() -> int:
    """2 x cores + 1: every core busy, no long queue inside the processes."""
    return 2 * cores() + 1


def turns_in_flight(settings: Settings) -> int:
    """The configured number, else `default_turns_in_flight()`."""
    return settings.bot_turns_in_flight or default_turns_in_flight()


def _semaphore(settings: Settings) -> asyncio.Semaphore:
    """This event loop's slots (an asyncio semaphore belongs to one loop)."""
    global _slots
    loop, limit = asyncio.get_running_loop(), turns_in_flight(settings)
    if _slots is None or _slots[0] is not loop or _slots[1] != limit:
        _slots = (loop, limit, asyncio.Semaphore(limit))
    return _slots[2]


@contextlib.asynccontextmanager
async def bot_turn_slot(settings: Settings) -> AsyncIterator[None]:
    """Hold one slot for the block; waits in arrival order, at most `rasa_timeout_seconds` (then `NoTurnSlot`)."""
    semaphore = _semaphore(settings)
    try:
        async with asyncio.timeout(settings.rasa_timeout_seconds):
            await semaphore.acquire()
    except TimeoutError as exc:
        raise NoTurnSlot from exc
    try:
        yield
    finally:
        semaphore.release()
