"""The record of every save in the editors' workspace: who changed or reviewed which entry, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.cases.models import Operator
from api.core.clock import UTCDateTime, utcnow
from api.db import Base

EDITED, REVIEWED = "edited", "reviewed"


class ContentReview(Base):
    """One save of one catalog entry; `action` is "reviewed" when the editor also cleared the fuzzy flag.

    The text itself stays in the .po file (the source of truth); only its hash is kept here.
    """

    __tablename__ = "content_review"
    __table_args__ = (Index("ix_content_review_entry", "language", "msgid", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    msgid: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey(Operator.id, ondelete="SET NULL"), nullable=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

