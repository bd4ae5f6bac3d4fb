"""Rasa's side of an erasure: a conversation's events are deleted from the tracker store, SQLite or PostgreSQL.

The tracker store is Rasa's database (bot/endpoints.yml), reached here through its own URL
(`tracker_store_url`: RASA_TRACKER_URL, else the SQLite file RASA_TRACKER_DB). Rasa saves a
turn by appending the events it has not stored yet, so the delete runs once the turn is over
(api/forgetting/erasure.py decides when). A delete that cannot run raises `TrackerStoreUnavailable`:
an erasure is never reported done when the conversation may still be there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, bindparam, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from api.core.config import get_settings, tracker_store_url
from api.core.logging import log_event
from api.db import checkpoint_wal, normalise_database_url

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py: SQLTrackerStore.SQLEvent).
EVENTS_TABLE = "events"


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not be reached or has no events table: nothing was deleted."""


@lru_cache(maxsize=4)
def tracker_engine(url: str) -> Engine:
    """An engine on Rasa's tracker store; SQLite deletes overwrite with zeros (secure_delete)."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1]) if ":///" in url else None
        if path is None or not path.is_file():
            # Connecting would create an empty file and "delete" from it: the erasure would lie.
            raise TrackerStoreUnavailable("the SQLite tracker store file does not exist")
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _secure_delete(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def configured_tracker_engine() -> Engine:
    """The engine of the configured tracker store."""
    return tracker_engine(tracker_store_url(get_settings()))


def delete_tracker_events(conversation_ids: Iterable[str], engine: Engine | None = None) -> int:
    """Delete every stored event of these conversations; returns how many rows went."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    try:
        engine = engine or configured_tracker_engine()
        if not inspect(engine).has_table(EVENTS_TABLE):
            raise TrackerStoreUnavailable("the tracker store has no events table (is Rasa pointed at it?)")
        statement = text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        with engine.begin() as connection:
            deleted = connection.execute(statement, {"ids": ids}).rowcount or 0
        checkpoint_wal(engine)
    except SQLAlchemyError as exc:
        raise TrackerStoreUnavailable(type(exc).__name__) from exc
    log_event(logger, "tracker_events_deleted", conversations=len(ids), events=deleted)
    return deleted


def inactive_tracker_conversations(before: datetime, engine: Engine | None = None) -> list[str]:
    """Conversations whose newest event in the tracker store is older than `before` (retention)."""
    try:
        engine = engine or configured_tracker_engine()
        if not inspect(engine).has_table(EVENTS_TABLE):
            raise TrackerStoreUnavailable("the tracker store has no events table (is Rasa pointed at it?)")
        with engine.connect() as connection:
            rows = connection.execute(text(
                f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": before.timestamp()}).scalars().all()
    except SQLAlchemyError as exc:
        raise TrackerStoreUnavailable(type(exc).__name__) from exc
    return list(rows)
