"""Tables of the gateways: who a conversation belongs to, and the inbound/outbound outboxes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.db import Base


class ChannelIdentity(Base):
    """Maps a pseudonymous conversation id to the channel address needed to reply (encrypted)."""

    __tablename__ = "channel_identity"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    encrypted_address: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The person asked to erase their data while an operator held their case: their answer to the
    # confirmation goes to the bot, not to the operator (api/gateways/conversation.py).
    forget_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the "Was this helpful?" buttons last went out, and about which answer until it is answered
    # (api/gateways/helpful.py): asked at most once in a while, counted at most once.
    helpful_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    helpful_msgid: Mapped[str | None] = mapped_column(String(200), nullable=True)
    helpful_language: Mapped[str | None] = mapped_column(String(8), nullable=True)


class InboundMessage(Base):
    """A person's message, stored before it is handed to Rasa so a Rasa outage loses nothing."""

    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    message_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OutboundMessage(Base):
    """A message for a person, kept until its channel has taken it (the outbox)."""

    __tablename__ = "outbound_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OfferedChoice(Base):
    """The buttons last offered to a person, so a typed number or title selects one (api/outbox/choices.py)."""

    __tablename__ = "offered_choice"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
