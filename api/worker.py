"""The background jobs (both outboxes, erasures, Twilio media, retention, live events, web chat receipts), run once across instances.

`python -m api.worker` runs them in a process of its own (the production profile); an API process runs
them itself unless told not to. The loop and its once-across-processes lock are api/jobs.py.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from sqlalchemy.orm import Session, sessionmaker

from api.cases.events import prune_live_events
from api.core.config import get_settings
from api.core.logging import configure_logging, log_event
from api.forgetting.erasure import run_due_erasures
from api.forgetting.retention import purge_expired
from api.gateways.conversation import redeliver_pending_inbound
from api.jobs import ScheduledJob, run_jobs
from api.outbox import receipts
from api.outbox.delivery import deliver_pending, recover_stale_sending
from api.privacy.twilio_media import delete_pending_media

logger = logging.getLogger(__name__)

ROUND_SECONDS = 1.0
RECEIPT_PRUNE_SECONDS = 60.0


async def deliver_outbox(factory: sessionmaker[Session]) -> None:
    """Send due outbox messages; a message whose sender died mid-send is sent again."""
    await asyncio.to_thread(recover_stale_sending, factory)  # off the event loop, like every round of the jobs
    await deliver_pending(factory)


async def drain_outboxes(factory: sessionmaker[Session]) -> None:
    """Both outboxes in one round: messages for people, then the people's messages Rasa has not answered yet.

    Held messages go to Rasa in order, one at a time; one outbox failing does not keep the other waiting.
    """
    for drain in (deliver_outbox, redeliver_pending_inbound):
        try:
            await drain(factory)
        except Exception:  # the other outbox still drains; the next round retries this one
            logger.exception("outbox_round_failed outbox=%s", drain.__name__)


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


async def prune_receipts(factory: sessionmaker[Session]) -> None:
    """Forget the web chat's answered message ids once no retry can come (api/outbox/receipts.py)."""
    def prune() -> None:
        with factory() as session:
            receipts.prune_expired(session)
            session.commit()
    await asyncio.to_thread(prune)


def scheduled_jobs() -> tuple[ScheduledJob, ...]:
    """Every background job with its interval (retention's comes from the settings)."""
    retention_every = float(get_settings().retention_interval_seconds)
    return (
        # Messages for people, and those Rasa could not answer yet (it was down, or the process asking it died).
        ScheduledJob("outboxes", drain_outboxes, ROUND_SECONDS),
        ScheduledJob("erasures", finish_erasures, ROUND_SECONDS),
        ScheduledJob("twilio_media", delete_pending_media, 30.0),
        # The first run waits for Rasa to be up (a tracker store that cannot be reached fails the run).
        ScheduledJob("retention", apply_retention, retention_every, first_after_seconds=min(60.0, retention_every)),
        ScheduledJob("prune_live_events", prune_live, 600.0),
        ScheduledJob("prune_receipts", prune_receipts, RECEIPT_PRUNE_SECONDS),
    )


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
        await run_jobs(stop, scheduled_jobs())
    finally:
        await shutdown_shared_application()
        log_event(logger, "worker_stopped")


def main() -> None:
    """`python -m api.worker`."""
    configure_logging(get_settings().log_level)
    asyncio.run(serve())


if __name__ == "__main__":
    main()
