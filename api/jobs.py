"""Background jobs run once across processes: each round of a job runs in the one process that wins its lock.

Every API process may run these rounds (the development default) and so may any number of worker
processes (the production profile): on PostgreSQL a round runs only in the process that wins the
job's advisory lock, the others skip it. On SQLite (one machine, one API process) the row claims
inside each job are enough. The jobs themselves are in api/worker.py; the Telegram bridge runs its
outbox through the same loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.db import get_engine, get_sessionmaker

logger = logging.getLogger(__name__)

Job = Callable[[sessionmaker[Session]], Awaitable[object]]


@dataclass(frozen=True)
class ScheduledJob:
    """A job and how often it runs."""

    name: str
    run: Job
    every_seconds: float
    first_after_seconds: float = 0.0


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, from the job's name."""
    return int.from_bytes(hashlib.sha256(f"sante-migrants:{name}".encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Whether this process may run job `name` now: True for the one holder of its lock, False elsewhere.

    The lock is PostgreSQL's session advisory lock on a connection held for the round, so a
    process that dies mid-round frees it at once (its connection closes).
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = advisory_key(name)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


async def run_job_once(job: ScheduledJob, factory: sessionmaker[Session], engine: Engine) -> bool:
    """Run one round of `job` if no other process is running it; True when this process ran it."""
    with exclusive(engine, job.name) as held:
        if not held:
            return False
        await job.run(factory)
        return True


async def run_jobs(stop: asyncio.Event, jobs: tuple[ScheduledJob, ...]) -> None:
    """Run every job at its interval until `stop` is set; a failing round is logged and retried next time."""
    factory, engine = get_sessionmaker(), get_engine()
    started = time.monotonic()
    next_run = {job.name: started + job.first_after_seconds for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if time.monotonic() < next_run[job.name]:
                continue
            next_run[job.name] = time.monotonic() + job.every_seconds
            try:
                await run_job_once(job, factory, engine)
            except Exception:  # one failing job must not stop the others; the next round retries
                logger.exception("job_round_failed job=%s", job.name)
        wait = max(0.05, min(next_run.values()) - time.monotonic())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
