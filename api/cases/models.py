"""Tables of the referral backend: associations, queues, operators and their console sessions, cases and their events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.clock import UTCDateTime, utcnow
from api.core.codes import CaseStatus, Outcome, Role, TriageLevel, code_type
from api.db import Base


class Association(Base):
    """A partner association running a hotline (listening cell, helpline)."""

    __tablename__ = "association"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    queues: Mapped[list[Queue]] = relationship(back_populates="association")


class Queue(Base):
    """Where an association's cases wait; one per association or per region it covers."""

    __tablename__ = "case_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Lower-case town names this queue serves; a case from one of them lands here.
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The queue for cases whose town no queue lists (at most one is used: the lowest id).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    association: Mapped[Association] = relationship(back_populates="queues")


class Operator(Base):
    """A hotline staff member who logs into the console."""

    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(code_type(Role, 16), default=Role.OPERATOR)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    association_id: Mapped[int | None] = mapped_column(ForeignKey("association.id"), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The most cases the operator may hold at once (claimed or waiting for the person); None: no limit.
    max_cases: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The console's language (fr, en, ar) and IANA time zone the operator chose; None: the defaults.
    console_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OperatorSession(Base):
    """One console login; the cookie holds only a random value whose SHA-256 is the id here.

    Deleting the row ends the session at once (logout, password change, deactivation).
    """

    __tablename__ = "operator_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Case(Base):
    """One person escalated to a hotline, from the bot's referral to its outcome."""

    __tablename__ = "hotline_case"
    __table_args__ = (Index("ix_hotline_case_status_queue", "status", "queue_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("case_queue.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(64), default="other")
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    triage_level: Mapped[TriageLevel] = mapped_column(code_type(TriageLevel, 16))
    base_priority: Mapped[int] = mapped_column(Integer)
    triage_flags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[CaseStatus] = mapped_column(code_type(CaseStatus, 20), default=CaseStatus.QUEUED)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact: Mapped[str] = mapped_column(String(16), default="chat")  # chat | callback
    callback_number_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[Outcome | None] = mapped_column(code_type(Outcome, 32), nullable=True)
    assigned_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True,
                                                             index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    queue: Mapped[Queue] = relationship()
    assigned_operator: Mapped[Operator | None] = relationship()


class CaseMessage(Base):
    """A message of the conversation between the person and the operator (in: from the person)."""

    __tablename__ = "case_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hotline_case.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    text: Mapped[str] = mapped_column(Text, default="")
    media_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the channel said the attachment is: a MIME type (WhatsApp, phone recordings) or a
    # Telegram kind (voice, photo, ...); the console plays audio and shows images (views.media_kind).
    media_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    author_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseNote(Base):
    """An operator's internal note on a case (the person never sees it)."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hotline_case.id", ondelete="CASCADE"), index=True)
    author_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Referral(Base):
    """A service the person was referred to (an id of data/services.yml or free text)."""

    __tablename__ = "case_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hotline_case.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    service_name: Mapped[str] = mapped_column(String(200))
    service_kind: Mapped[str | None] = mapped_column(String(64), nullable=True)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseSatisfaction(Base):
    """The optional "did this help? 1-5" asked when a case closes, and its answer (api/cases/satisfaction.py).

    Anonymous: the conversation id is kept only while the question waits for its answer; the row
    holds the score, queue, language and operator for the stats, and goes with its case when the
    case is anonymised (erasure or retention), as the privacy text promises.
    """

    __tablename__ = "case_satisfaction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_case.id", ondelete="SET NULL"), nullable=True,
                                                index=True)
    association_id: Mapped[int] = mapped_column(Integer, index=True)
    queue_id: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEvent(Base):
    """Who did what to which case, kept after a person's data is erased."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(32))  # operator | service | system | person
    action: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_case.id"), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LiveEvent(Base):
    """A short-lived notification for the consoles (new case, emergency, new message), read by polling.

    A table rather than process memory so every API process's SSE streams see every event.
    """

    __tablename__ = "live_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
