"""The person's /forget on Rasa's side: their conversation is deleted from the tracker store after the turn.

The erasure is requested while Rasa is still running the turn (the forget action calls the API), and
Rasa saves a turn by appending the events it has not stored yet. Deleting during the turn would make it
write the whole conversation back, so the request is recorded and carried out once Rasa has answered.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import get_settings
from api.core.logging import log_event
from api.db import make_engine
from api.gateways.models import BotHistoryErasure, utcnow

logger = logging.getLogger(__name__)

# A request no gateway turn has completed after this long (e.g. the reply went astray) is done by the worker.
OVERDUE = timedelta(minutes=2)


def request_bot_history_erasure(session: Session, conversation_id: str) -> None:
    """Record that this conversation must leave the tracker store; the caller commits."""
    request = session.get(BotHistoryErasure, conversation_id)
    if request is None:
        session.add(BotHistoryErasure(conversation_id=conversation_id))
    else:
        request.requested_at, request.done_at = utcnow(), None


def delete_tracker_events(tracker_db: Path, conversation_id: str) -> int:
    """Delete every stored event of one conversation from Rasa's SQLite tracker store."""
    if not tracker_db.exists():
        return 0
    with sqlite3.connect(tracker_db, timeout=15) as db:
        has_events = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'").fetchone()
        if not has_events:
            return 0
        return db.execute("DELETE FROM events WHERE sender_id = ?", (conversation_id,)).rowcount


@lru_cache
def _tracker_engine(url: str) -> Engine:
    return make_engine(url)


def delete_tracker_events_sql(tracker_url: str, conversation_id: str) -> int:
    """Delete every stored event of one conversation from Rasa's tracker store on PostgreSQL."""
    with _tracker_engine(tracker_url).begin() as connection:
        if connection.scalar(text("SELECT to_regclass('events')")) is None:
            return 0
        return connection.execute(text("DELETE FROM events WHERE sender_id = :id"), {"id": conversation_id}).rowcount


def erase_requested_bot_history(session: Session, conversation_id: str) -> bool:
    """Carry out a pending erasure of this conversation, if any (call it once Rasa has answered)."""
    request = session.get(BotHistoryErasure, conversation_id)
    if request is None or request.done_at is not None:
        return False
    settings = get_settings()
    deleted = (delete_tracker_events_sql(settings.rasa_tracker_url, conversation_id) if settings.rasa_tracker_url
               else delete_tracker_events(Path(settings.rasa_tracker_db), conversation_id))
    request.done_at = utcnow()
    session.commit()
    log_event(logger, "bot_history_erased", events=deleted)
    return True


def erase_overdue_bot_histories(factory: sessionmaker[Session]) -> int:
    """Carry out erasures no completed turn has picked up in time."""
    with factory() as session:
        overdue = session.scalars(select(BotHistoryErasure.conversation_id).where(
            BotHistoryErasure.done_at.is_(None), BotHistoryErasure.requested_at < utcnow() - OVERDUE)).all()
        return sum(erase_requested_bot_history(session, conversation_id) for conversation_id in overdue)
