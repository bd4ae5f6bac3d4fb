"""Rasa's SQL tracker store counts and reads a conversation's stored events with fixed statements.

Rasa 3.6 saves a tracker (at least twice per turn) by counting the events already stored since
the conversation's latest session start and appending the rest, and reads it back (every turn)
by loading those events as ORM objects. Both go through an ORM query built anew each time, with a
subquery, whose construction and cache key SQLAlchemy 1.4 works out on every call: measured with
py-spy under load, the count was about two thirds of the tracker store's save (7 % of Rasa's CPU
per turn) and the read's query and ORM rows another 6 %. `install()` (called by `python -m
botserver`) makes both one textual statement with the same meaning: the events of the sender
whose timestamp is at or after its latest `session_started` event, or all its events when it has
none (or all of them, for the full tracker), in the order they were stored. What is appended and
how the tracker is rebuilt stay Rasa's. SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional

import rasa.core.tracker_store as tracker_store
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

EVENTS = tracker_store.SQLTrackerStore.SQLEvent.__tablename__
SESSION_START = (f"(SELECT max(timestamp) FROM {EVENTS} "
                 "WHERE sender_id = :sender_id AND type_name = :session_started)")
LATEST_SESSION = f"sender_id = :sender_id AND (timestamp >= {SESSION_START} OR {SESSION_START} IS NULL)"
# Rasa's `_event_query(..., fetch_events_from_all_sessions=False).count()`, written out.
EVENTS_SINCE_SESSION_START = text(f"SELECT count(*) FROM {EVENTS} WHERE {LATEST_SESSION}")
# Rasa's `_event_query(...)` rows, their `data` only, for the latest session or for all of them.
LATEST_SESSION_DATA = text(f"SELECT data FROM {EVENTS} WHERE {LATEST_SESSION} ORDER BY id")
ALL_SESSIONS_DATA = text(f"SELECT data FROM {EVENTS} WHERE sender_id = :sender_id ORDER BY id")
original_additional_events = tracker_store.SQLTrackerStore._additional_events
original_retrieve = tracker_store.SQLTrackerStore._retrieve


def stored_event_count(session: Any, sender_id: str) -> int:
    """How many events of this conversation's latest session are stored."""
    return int(session.execute(EVENTS_SINCE_SESSION_START,
                               {"sender_id": sender_id, "session_started": SessionStarted.type_name}).scalar() or 0)


def additional_events(self: Any, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
    """The tracker's events that are not stored yet (Rasa's `_additional_events`, counted as above)."""
    return itertools.islice(tracker.events, stored_event_count(session, tracker.sender_id), len(tracker.events))


def stored_events(session: Any, sender_id: str, all_sessions: bool) -> list[dict[str, Any]]:
    """The stored events of the conversation's latest session (or of all its sessions), as dicts, in order."""
    if all_sessions:
        rows = session.execute(ALL_SESSIONS_DATA, {"sender_id": sender_id})
    else:
        rows = session.execute(LATEST_SESSION_DATA, {"sender_id": sender_id,
                                                     "session_started": SessionStarted.type_name})
    return [json.loads(data) for data in rows.scalars()]


async def retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
    """Rasa's `_retrieve`: the tracker rebuilt from the stored events, None when there are none."""
    with self.session_scope() as session:
        events = stored_events(session, sender_id, fetch_events_from_all_sessions)
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def install() -> None:
    """Make this process's SQL tracker stores count and read their stored events this way."""
    tracker_store.SQLTrackerStore._additional_events = additional_events
    tracker_store.SQLTrackerStore._retrieve = retrieve
