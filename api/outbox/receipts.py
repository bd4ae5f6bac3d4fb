"""Web chat turns answered once: a message retried with the same client message id gets the first answer.

The page gives every message a random id and sends it again with the same id when a request
fails or times out (a phone losing its network mid-turn). Without a receipt the retry would be
a second bot turn: the person's message twice in Rasa's tracker, a form question skipped, a
second case. The first request claims the id (a row, unique per conversation and id); a retry
finds the claim and waits for its replies instead of asking Rasa again.

A receipt keeps the bot's replies (never the person's text) for RECEIPT_LIFETIME, long enough
for any retry; the background jobs delete older ones every minute (`prune_expired`, api/worker.py).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.db import Base, in_database_thread, rows_changed

RECEIPT_LIFETIME = timedelta(minutes=10)
ANSWERED = "answered"
PROCESSING = "processing"
POLL_SECONDS = 0.05


class ChatReceipt(Base):
    """One web chat message id of a conversation: being answered, or answered with these replies."""

    __tablename__ = "chat_receipt"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=PROCESSING)
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def claim(session: Session, conversation_id: str, client_message_id: str) -> bool:
    """Claim the message id for this request; False when another request already has (a retry).

    It opens the session's transaction (a claim that loses rolls it back, which must lose nothing
    else); the caller commits the claim together with the message it stores.
    """
    try:
        session.execute(insert(ChatReceipt).values(conversation_id=conversation_id, client_message_id=client_message_id,
                                                   status=PROCESSING, created_at=utcnow()))
    except IntegrityError:
        session.rollback()
        return False
    return True


def prune_expired(session: Session, now: datetime | None = None) -> int:
    """Delete the receipts older than RECEIPT_LIFETIME (no retry comes that late); how many. The caller commits."""
    cutoff = (now or utcnow()) - RECEIPT_LIFETIME
    return rows_changed(session, delete(ChatReceipt).where(ChatReceipt.created_at < cutoff))


def record_replies(session: Session, conversation_id: str, client_message_id: str,
                   replies: list[dict[str, Any]]) -> None:
    """The claimed message is answered: keep its replies for a retry (the caller commits)."""
    session.execute(update(ChatReceipt).where(ChatReceipt.conversation_id == conversation_id,
                                              ChatReceipt.client_message_id == client_message_id)
                    .values(status=ANSWERED, replies=replies))


def record_replies_now(session: Session, conversation_id: str, client_message_id: str,
                       replies: list[dict[str, Any]]) -> None:
    """`record_replies`, committed (for answers the gateway gave without a bot turn)."""
    record_replies(session, conversation_id, client_message_id, replies)
    session.commit()


def release(session: Session, conversation_id: str, client_message_id: str) -> None:
    """The claimed message failed before it was answered: a retry may try it afresh. Commits."""
    session.execute(delete(ChatReceipt).where(ChatReceipt.conversation_id == conversation_id,
                                              ChatReceipt.client_message_id == client_message_id))
    session.commit()


def _answered_replies(session: Session, conversation_id: str, client_message_id: str) -> list[dict[str, Any]] | None:
    session.expire_all()
    row = session.execute(select(ChatReceipt.status, ChatReceipt.replies).where(
        ChatReceipt.conversation_id == conversation_id, ChatReceipt.client_message_id == client_message_id)).first()
    if row is None:
        return []  # released, or expired: nothing more will come of this request
    return list(row.replies or []) if row.status == ANSWERED else None


async def replies_of_first_request(session: Session, conversation_id: str, client_message_id: str,
                                   wait_seconds: float) -> list[dict[str, Any]] | None:
    """The replies the first request got, once it has them; None if it is still being answered after the wait."""
    deadline = time.monotonic() + wait_seconds
    while True:
        replies = await in_database_thread(_answered_replies, session, conversation_id, client_message_id)
        if replies is not None or time.monotonic() >= deadline:
            return replies
        await asyncio.sleep(POLL_SECONDS)
