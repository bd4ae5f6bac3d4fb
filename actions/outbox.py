"""Durable outbox for referrals the backend could not take yet, and the task that delivers them.

Every referral is written here first (SQLite, WAL) and marked delivered once the backend answered
2xx, so a referral survives a backend outage or an action-server restart. Delivery reuses the
escalation's Idempotency-Key, so however many times a referral is retried (or delivered by two
processes sharing the file) the backend creates its case exactly once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from tenacity import RetryCallState
from tenacity.wait import wait_exponential

from actions.config import ActionSettings, get_settings
from actions.referrals import DeliveryResult, post_referral

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_referral (
    idempotency_key TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    body TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT
)
"""


@dataclass(frozen=True)
class PendingReferral:
    """A referral waiting for delivery."""

    idempotency_key: str
    reference: str
    body: dict[str, Any]
    attempts: int


class ReferralOutbox:
    """The SQLite file of referrals, pending or delivered (the body is dropped once delivered)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit, one short connection per call: safe across tasks and processes sharing the file.
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def add(self, idempotency_key: str, reference: str, body: dict[str, Any]) -> None:
        """Keep a referral; adding the same key again changes nothing (a retried action)."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO pending_referral (idempotency_key, reference, body, "
                       "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)",
                       (idempotency_key, reference, json.dumps(body), 0.0, time.time()))

    def due(self, now: float) -> list[PendingReferral]:
        """Undelivered referrals whose next attempt time has come, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT idempotency_key, reference, body, attempts FROM pending_referral "
                              "WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY created_at",
                              (now,)).fetchall()
        return [PendingReferral(key, ref, json.loads(body), attempts) for key, ref, body, attempts in rows]

    def next_attempt_at(self) -> float | None:
        """When the earliest undelivered referral is due, None when nothing waits."""
        with self._connect() as db:
            row = db.execute("SELECT MIN(next_attempt_at) FROM pending_referral WHERE delivered_at IS NULL").fetchone()
        return None if row[0] is None else float(row[0])

    def mark_delivered(self, idempotency_key: str) -> None:
        """Delivered: forget the body (it holds the callback number), keep key and reference."""
        with self._connect() as db:
            db.execute("UPDATE pending_referral SET delivered_at = ?, body = NULL, last_error = NULL "
                       "WHERE idempotency_key = ?", (time.time(), idempotency_key))

    def mark_failed(self, idempotency_key: str, error: str, retry_at: float) -> None:
        """Count a failed attempt and schedule the next one."""
        with self._connect() as db:
            db.execute("UPDATE pending_referral SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                       "WHERE idempotency_key = ? AND delivered_at IS NULL", (error, retry_at, idempotency_key))

    def is_delivered(self, idempotency_key: str) -> bool:
        """Whether the backend has taken this referral."""
        with self._connect() as db:
            row = db.execute("SELECT delivered_at FROM pending_referral WHERE idempotency_key = ?",
                             (idempotency_key,)).fetchone()
        return bool(row and row[0] is not None)


def backoff_seconds(attempts: int, settings: ActionSettings) -> float:
    """Delay before the next try after `attempts` earlier failures and this one: tenacity's exponential wait,
    from the initial delay, doubling, up to the maximum."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempts + 1
    return float(wait_exponential(multiplier=settings.retry_initial_s, max=settings.retry_max_s)(state))


async def deliver(outbox: ReferralOutbox, pending: PendingReferral, settings: ActionSettings) -> DeliveryResult:
    """Try one queued referral once, and record the outcome."""
    result = await post_referral(settings, pending.body, pending.idempotency_key)
    if result.delivered:
        outbox.mark_delivered(pending.idempotency_key)
        logger.info("referral_delivered reference=%s attempts=%d", pending.reference, pending.attempts + 1)
    else:
        outbox.mark_failed(pending.idempotency_key, result.error or "unknown",
                           time.time() + backoff_seconds(pending.attempts, settings))
        log = logger.error if result.permanent_failure else logger.warning
        log("referral_delivery_failed reference=%s attempts=%d error=%s", pending.reference,
            pending.attempts + 1, result.error)
    return result


async def deliver_due(outbox: ReferralOutbox, settings: ActionSettings) -> int:
    """One pass over the referrals that are due; returns how many were delivered."""
    delivered = 0
    for pending in outbox.due(time.time()):
        if (await deliver(outbox, pending, settings)).delivered:
            delivered += 1
    return delivered


async def run_delivery(outbox: ReferralOutbox, settings: ActionSettings) -> None:
    """Deliver until nothing is left, sleeping until the next referral is due."""
    while True:
        await deliver_due(outbox, settings)
        next_at = outbox.next_attempt_at()
        if next_at is None:
            return
        await asyncio.sleep(max(0.05, min(next_at - time.time(), settings.retry_max_s)))


class DeliveryTask:
    """The one background delivery task of this process, started when there is something to send."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self, outbox: ReferralOutbox, settings: ActionSettings) -> asyncio.Task[None]:
        """Start the delivery loop unless it is already running in this event loop."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(run_delivery(outbox, settings))
            self._task.add_done_callback(_log_crash)
        return self._task

    async def stop(self) -> None:
        """Cancel the delivery loop (server shutdown); what is left stays in the outbox for next time."""
        task, self._task = self._task, None
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("referral_delivery_task_crashed error=%s", type(task.exception()).__name__)


delivery_task = DeliveryTask()


def default_outbox() -> ReferralOutbox:
    """The outbox at OUTBOX_PATH."""
    return ReferralOutbox(get_settings().outbox_path)
