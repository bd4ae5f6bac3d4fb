"""Anonymous "Was this helpful?" counts per answer and language, shown to editors beside the message.

The buttons go with the answers to health and rights questions (`asks_helpful` in locales/source.yml);
the gateway counts a tap here (api/gateways/helpful.py). A count holds the message, the language and
the day: no conversation, no channel, no time of day, nothing about the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, case, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.db import Base


class HelpfulVote(Base):
    """One anonymous answer to "Was this helpful?" about one message in one language, dated to the day."""

    __tablename__ = "helpful_vote"
    __table_args__ = (Index("ix_helpful_vote_entry", "language", "msgid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    msgid: Mapped[str] = mapped_column(String(200))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class HelpfulCount:
    """How many said yes and no."""

    yes: int = 0
    no: int = 0


def record_vote(session: Session, language: str, msgid: str, helpful: bool) -> None:
    """Count one answer, dated to the day only (the caller commits)."""
    day = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    session.add(HelpfulVote(language=language, msgid=msgid, helpful=helpful, created_at=day))


def helpful_counts(session: Session, language: str) -> dict[str, HelpfulCount]:
    """msgid → its counts in one language."""
    rows = session.execute(
        select(HelpfulVote.msgid, func.sum(case((HelpfulVote.helpful.is_(True), 1), else_=0)),
               func.sum(case((HelpfulVote.helpful.is_(False), 1), else_=0)))
        .where(HelpfulVote.language == language).group_by(HelpfulVote.msgid))
    return {msgid: HelpfulCount(int(yes or 0), int(no or 0)) for msgid, yes, no in rows}
