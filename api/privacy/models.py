"""Tables of the privacy work: numbers captured at intake, erasures in progress, media to delete, statistics."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.core.codes import TriageLevel, code_type
from api.db import Base


class CapturedContact(Base):
    """The latest phone number a person typed, encrypted, until a callback referral takes it (or it expires).

    The gateway keeps it here instead of handing it to Rasa (`api/privacy/redaction.py`), so the
    number never sits in a slot, a tracker event or the action server's outbox.
    """

    __tablename__ = "captured_contact"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    encrypted_number: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersonErasure(Base):
    """A person asked to be forgotten: what is left to do once the current turn and the last reply are over.

    The cases and texts go at once (`api/forgetting/erasure.py`); the tracker events after Rasa has
    saved the turn; the channel identity once the confirmation has been delivered. The row itself
    is deleted when everything is done; `last_error` says why it is not done yet.
    """

    __tablename__ = "person_erasure"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The worker leaves the request to the gateway's turn until then (Rasa may still be writing).
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    tracker_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class MediaDeletion(Base):
    """A voice recording or WhatsApp media file to delete at Twilio (its URL encrypted until it is done)."""

    __tablename__ = "media_deletion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    encrypted_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CaseStatistic(Base):
    """What survives of erased or expired cases: how many, per day, association, region, level and topic.

    No town, no time of day, no triage answer, no language, no reference and no link to a person:
    the combination that could single someone out is never kept (docs/privacy.md).
    """

    __tablename__ = "case_statistic"
    __table_args__ = (UniqueConstraint("day", "association_id", "region", "triage_level", "topic",
                                       name="uq_case_statistic_bucket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    association_id: Mapped[int] = mapped_column(Integer, index=True)
    region: Mapped[str] = mapped_column(String(64))
    triage_level: Mapped[TriageLevel] = mapped_column(code_type(TriageLevel, 16))
    topic: Mapped[str] = mapped_column(String(64))
    cases: Mapped[int] = mapped_column(Integer, default=0)
