"""The outbox: messages for a person are stored, then delivered by their channel's sender with retries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.core.backoff import delay_after, exponential
from api.core.clock import utcnow
from api.core.logging import log_event
from api.crypto import decrypt
from api.db import rows_changed
from api.outbox.claims import claim_pending
from api.outbox.messages import BotReply, OutgoingMessage
from api.outbox.models import ChannelIdentity, OutboundMessage
from sante_contract import channel_of

logger = logging.getLogger(__name__)

# A sender gets the decrypted channel address (chat id, phone number) and the message.
Sender = Callable[[str, OutgoingMessage], Awaitable[None]]

_senders: dict[str, Sender] = {}

MAX_BACKOFF_SECONDS = 300
# 2 s after the first failed delivery, doubling, at most MAX_BACKOFF_SECONDS.
RETRY = exponential(2, MAX_BACKOFF_SECONDS)
# A message claimed for sending holds its claim this long; past it, its process is taken for dead and the
# message is sent again (at least once: a sender that died after the channel took it may send it twice).
SENDING_LEASE = timedelta(minutes=5)


def register_sender(channel: str, sender: Sender) -> None:
    """Make this process deliver outbox messages of `channel` (e.g. "tg", "wa", "web")."""
    _senders[channel] = sender


def registered_channels() -> list[str]:
    """Channels this process delivers."""
    return sorted(_senders)


def enqueue_outbound(session: Session, conversation_id: str, message: OutgoingMessage) -> OutboundMessage:
    """Add a message for the person to the outbox; it is sent once the caller's transaction commits."""
    row = OutboundMessage(conversation_id=conversation_id, channel=channel_of(conversation_id),
                          payload=message.to_dict())
    session.add(row)
    session.flush()
    return row


async def deliver_pending(factory: sessionmaker[Session], limit: int = 50) -> int:
    """Send due outbox messages of the channels registered in this process; returns how many went out."""
    channels = registered_channels()
    if not channels:
        return 0
    sent = 0
    with factory() as session:
        due = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.status == "pending", OutboundMessage.channel.in_(channels),
                   OutboundMessage.next_attempt_at <= utcnow())
            .order_by(OutboundMessage.id).limit(limit)
        ).all()
        for row in due:
            # Claim the row so another process delivering the same channel skips it.
            claimed = claim_pending(session, OutboundMessage, row.id, status="sending",
                                    next_attempt_at=utcnow() + SENDING_LEASE)
            if claimed and await _deliver_one(session, row):
                sent += 1
    return sent


def recover_stale_sending(factory: sessionmaker[Session]) -> int:
    """Put back in the queue the messages whose sending process died before it finished (lease over)."""
    with factory() as session:
        recovered = rows_changed(session, update(OutboundMessage).where(
            OutboundMessage.status == "sending", OutboundMessage.next_attempt_at < utcnow()).values(status="pending"))
        session.commit()
    if recovered:
        log_event(logger, "outbound_recovered", logging.WARNING, messages=recovered)
    return recovered


async def _deliver_one(session: Session, row: OutboundMessage) -> bool:
    identity = session.get(ChannelIdentity, row.conversation_id)
    try:
        if identity is None:
            raise LookupError("no channel identity for conversation")
        await _senders[row.channel](decrypt(identity.encrypted_address), BotReply.from_dict(row.payload))
    except Exception as exc:  # any channel failure: keep the message and retry later
        session.refresh(row)
        backoff = delay_after(RETRY, row.attempts)
        session.execute(update(OutboundMessage).where(OutboundMessage.id == row.id).values(
            status="pending", last_error=type(exc).__name__[:200],
            next_attempt_at=utcnow() + timedelta(seconds=backoff)))
        session.commit()
        log_event(logger, "outbound_retry", logging.WARNING, channel=row.channel, message_id=row.id,
                  attempts=row.attempts, error=type(exc).__name__)
        return False
    session.execute(update(OutboundMessage).where(OutboundMessage.id == row.id)
                    .values(status="sent", sent_at=utcnow()))
    session.commit()
    log_event(logger, "outbound_sent", channel=row.channel, message_id=row.id)
    return True
