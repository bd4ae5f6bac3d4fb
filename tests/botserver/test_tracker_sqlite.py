"""Rasa's SQL tracker store: SQLite writes ahead with pooled connections; events counted as Rasa counts them."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import rasa.core.tracker_store as tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from botserver import tracker_events, tracker_sqlite

DOMAIN = Domain.from_dict({"intents": ["greet"], "slots": {"language": {"type": "text", "mappings": []}}})
NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(not DATABASE_URL, reason="set TEST_DATABASE_URL to count in PostgreSQL")


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(tracker_store, "create_engine_kwargs", tracker_sqlite.engine_kwargs)
    event.listen(Engine, "connect", tracker_sqlite.set_pragmas)
    yield
    event.remove(Engine, "connect", tracker_sqlite.set_pragmas)


def store(path: Path) -> tracker_store.SQLTrackerStore:
    return tracker_store.SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))


async def test_a_tracker_is_saved_and_read_back_in_order(tmp_path: Path, installed: None) -> None:
    trackers = store(tmp_path / "tracker.db")
    events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"}), SlotSet("language", "fr")]
    await trackers.save(DialogueStateTracker.from_events("web-1", events, DOMAIN.slots))
    tracker = await trackers.retrieve("web-1")
    assert tracker is not None
    assert [e.as_dict()["event"] for e in tracker.events] == ["action", "user", "slot"]
    assert tracker.get_slot("language") == "fr"


async def test_the_file_writes_ahead_and_commits_do_not_wait_for_the_disk(tmp_path: Path, installed: None) -> None:
    trackers = store(tmp_path / "tracker.db")
    await trackers.save(DialogueStateTracker.from_events("web-1", [ActionExecuted("action_listen")], DOMAIN.slots))
    assert isinstance(trackers.engine.pool, QueuePool)
    with trackers.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == NORMAL
    assert sqlite3.connect(tmp_path / "tracker.db").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_other_databases_keep_rasas_settings() -> None:
    url = "postgresql://rasa:secret@127.0.0.1:5432/rasa"
    assert tracker_sqlite.engine_kwargs(url) == tracker_sqlite.original_engine_kwargs(url)


@pytest.fixture
def postgres_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A schema of its own in the test database (Rasa's tracker store puts its table there), dropped afterwards."""
    schema = f"tracker_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
    yield schema
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def event_dicts(tracker: DialogueStateTracker | None) -> list[dict] | None:
    return [event.as_dict() for event in tracker.events] if tracker is not None else None


async def assert_counted_and_read_as_rasa_does(trackers: tracker_store.SQLTrackerStore, sessions: int) -> None:
    events: list = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"})]
    for number in range(sessions):
        events += [ActionExecuted("action_session_start", timestamp=1000.0 + number), SessionStarted(),
                   ActionExecuted("action_listen"), UserUttered(f"message {number}", {"name": "greet"})]
    await trackers.save(DialogueStateTracker.from_events("web-1", events, DOMAIN.slots))
    await trackers.save(DialogueStateTracker.from_events("web-2", events[:2], DOMAIN.slots))
    senders = ("web-1", "web-2", "web-unknown")
    with trackers.session_scope() as session:
        for sender in senders:
            theirs = trackers._event_query(session, sender, fetch_events_from_all_sessions=False).count()
            assert tracker_events.stored_event_count(session, sender) == theirs, sender
    for sender in senders:
        for all_sessions in (False, True):
            ours = await tracker_events.retrieve(trackers, sender, fetch_events_from_all_sessions=all_sessions)
            rasas = await tracker_events.original_retrieve(trackers, sender, fetch_events_from_all_sessions=all_sessions)
            assert event_dicts(ours) == event_dicts(rasas), (sender, all_sessions)


@pytest.mark.parametrize("sessions", [0, 1, 3])
async def test_the_stored_events_are_counted_and_read_as_rasa_does(tmp_path: Path, sessions: int) -> None:
    await assert_counted_and_read_as_rasa_does(store(tmp_path / "tracker.db"), sessions)


@needs_postgres
@pytest.mark.parametrize("sessions", [0, 3])
async def test_the_stored_events_are_counted_and_read_as_rasa_does_in_postgresql(postgres_schema: str,
                                                                              sessions: int) -> None:
    url = make_url(DATABASE_URL)
    trackers = tracker_store.SQLTrackerStore(DOMAIN, dialect="postgresql", host=url.host, port=url.port or 5432,
                                             db=url.database, username=url.username, password=url.password)
    await assert_counted_and_read_as_rasa_does(trackers, sessions)
    trackers.engine.dispose()


async def test_a_saved_tracker_appends_only_its_new_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker_store.SQLTrackerStore, "_additional_events", tracker_events.additional_events)
    monkeypatch.setattr(tracker_store.SQLTrackerStore, "_retrieve", tracker_events.retrieve)
    trackers = store(tmp_path / "tracker.db")
    events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"})]
    tracker = DialogueStateTracker.from_events("web-1", events, DOMAIN.slots)
    await trackers.save(tracker)
    tracker.update(SlotSet("language", "fr"))
    await trackers.save(tracker)
    await trackers.save(tracker)
    stored = await trackers.retrieve("web-1")
    assert stored is not None and [e.as_dict()["event"] for e in stored.events] == ["action", "user", "slot"]
