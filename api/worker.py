"""The background jobs (outboxes, held messages, erasures, Twilio media, retention, live events), run once across instances.

Every API process may run these rounds (the development default) and so may any number of
`python -m api.worker` processes (the production profile): on PostgreSQL a round runs only in the
process that wins the job's advisory lock, the others skip it. On SQLite (one machine, one API
process) the row claims inside each job are enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.cases.events import prune_live_events
from api.core.config import get_settings
from api.core.logging import configure_logging, log_event
from api.db import get_engine, get_sessionmaker
from api.forgetting.erasure import run_due_erasures
from api.forgetting.retention import purge_expired
from api.gateways.conversation import redeliver_pending_inbound
from api.outbox.delivery import deliver_pending, recover_stale_sending
from api.privacy.twilio_media import delete_pending_media

logger = logging.getLogger(__name__)

ROUND_SECONDS = 1.0

Job = Callable[[sessionmaker[Session]], Awaitable[object]]


async def deliver_outbox(factory: sessionmaker[Session]) -> None:
    """Send due outbox messages; a message whose sender died mid-send is sent again."""
    recover_stale_sending(factory)
    await deliver_pending(factory)


async def finish_erasures(factory: sessionmaker[Session]) -> None:
    """Tracker deletes no turn picked up, identities whose last reply went out (off the event loop)."""
    await asyncio.to_thread(run_due_erasures, factory)


async def apply_retention(factory: sessionmaker[Session]) -> None:
    """Remove what is past its retention limit (api/forgetting/retention.py)."""
    await asyncio.to_thread(purge_expired, factory)


async def prune_live(factory: sessionmaker[Session]) -> None:
    """Drop live console events nobody connected can still want."""
    def prune() -> None:
        with factory() as session:
            prune_live_events(session)
            session.commit()
    await asyncio.to_thread(prune)


@dataclass(frozen=True)
class ScheduledJob:
    """A job and how often it runs."""

    name: str
    run: Job
    every_seconds: float
    first_after_seconds: float = 0.0


def scheduled_jobs() -> tuple[ScheduledJob, ...]:
    """Every background job with its interval (retention's comes from the settings)."""
    retention_every = float(get_settings().retention_interval_seconds)
    return (
        ScheduledJob("outbox", deliver_outbox, ROUND_SECONDS),
        # Messages Rasa could not answer (it was down, or the process asking it died): in order, one at a time.
        ScheduledJob("held_inbound", redeliver_pending_inbound, ROUND_SECONDS),
        ScheduledJob("erasures", finish_erasures, ROUND_SECONDS),
        ScheduledJob("twilio_media", delete_pending_media, 30.0),
        # The first run waits for Rasa to be up (a tracker store that cannot be reached fails the run).
        ScheduledJob("retention", apply_retention, retention_every, first_after_seconds=min(60.0, retention_every)),
        ScheduledJob("prune_live_events", prune_live, 600.0),
    )


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


async def run_jobs(stop: asyncio.Event, jobs: tuple[ScheduledJob, ...] | None = None) -> None:
    """Run every job at its interval until `stop` is set; a failing round is logged and retried next time."""
    jobs = jobs if jobs is not None else scheduled_jobs()
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


def register_senders() -> list[str]:
    """The outbox senders of a worker process: the same channels the API would deliver."""
    from api.gateways.senders import register_channel_senders

    return register_channel_senders(get_settings())


async def serve() -> None:
    """The worker process: run the jobs until SIGTERM or SIGINT."""
    from api.gateways.telegram import shutdown_shared_application

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log_event(logger, "worker_started", channels=",".join(register_senders()))
    try:
        await run_jobs(stop)
    finally:
        await shutdown_shared_application()
        log_event(logger, "worker_stopped")


def main() -> None:
    """`python -m api.worker`."""
    configure_logging(get_settings().log_level)
    asyncio.run(serve())


if __name__ == "__main__":
    main()
