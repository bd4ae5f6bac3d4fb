"""Anonymous "Was this helpful?" counts per factual message and language, shown to editors beside the message.

The bot asks after a factual answer only (a message with a named source in locales/source.yml);
the action server records the tap here with its service token. Nothing about the person is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.core.clock import utcnow
from api.editor.models import HelpfulVote


@dataclass(frozen=True)
class HelpfulCount:
    """How many said yes and no."""

    yes: int = 0
    no: int = 0


def record_vote(session: Session, language: str, msgid: str, helpful: bool) -> None:
    """Count one answer (the caller commits)."""
    session.add(HelpfulVote(language=language, msgid=msgid, helpful=helpful, created_at=utcnow()))


def helpful_counts(session: Session, language: str) -> dict[str, HelpfulCount]:
    """msgid → its counts in one language."""
    rows = session.execute(
        select(HelpfulVote.msgid, func.sum(case((HelpfulVote.helpful.is_(True), 1), else_=0)),
               func.sum(case((HelpfulVote.helpful.is_(False), 1), else_=0)))
        .where(HelpfulVote.language == language).group_by(HelpfulVote.msgid))
    return {msgid: HelpfulCount(int(yes or 0), int(no or 0)) for msgid, yes, no in rows}
