"""A person's /forget reaches Rasa's tracker store, SQLite or PostgreSQL, once the turn is over; or it fails loudly."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.bot_history import tracker_engine
from api.core.clock import utcnow
from api.db import make_engine
from api.forgetting.erasure import erase_person, run_due_erasures
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.outbox.messages import IncomingMessage
from api.privacy.models import PersonErasure
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa

TRACKERS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
FORGOTTEN, KEPT = conversation_id_for("tg", "501"), conversation_id_for("tg", "502")
SECRET_TEXT = "I was attacked near the station"
# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py), as Rasa creates it.
EVENTS_DDL = ("CREATE TABLE events (id {pk}, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
              " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")


def fill(engine: Engine, events: dict[str, list[str]], timestamp: float | None = None) -> None:
    pk = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text(EVENTS_DDL.format(pk=pk)))
        for sender, texts in events.items():
            for data in texts:
                connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                                        "VALUES (:s, 'user', :t, :d)"),
                                   {"s": sender, "t": timestamp or utcnow().timestamp(), "d": data})


def stored(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id")).all()
    found: dict[str, list[str]] = {}
    for sender, data in rows:
        found.setdefault(sender, []).append(data)
    return found


@pytest.fixture(params=TRACKERS)
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A tracker store shaped like Rasa's holding two conversations, and its URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        (tmp_path / "tracker.db").touch()
        engine = make_engine(url)
        schema = None
    else:
        base = os.environ["TEST_DATABASE_URL"]
        schema = f"test_tracker_{uuid.uuid4().hex[:10]}"
        with make_engine(base).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        engine = make_engine(url)
    fill(engine, {FORGOTTEN: [SECRET_TEXT, "yes, forget me"], KEPT: ["bonjour"]})
    try:
        yield url, engine
    finally:
        engine.dispose()
        tracker_engine.cache_clear()
        if schema:
            admin = make_engine(os.environ["TEST_DATABASE_URL"])
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa, tracker: tuple[str, Engine]) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, RASA_TRACKER_URL=tracker[0]) as made:
        yield made


def request_erasure(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        erase_person(session, FORGOTTEN)
        session.commit()


async def test_the_conversation_leaves_the_tracker_store_when_the_forget_turn_is_over(factory, tracker) -> None:
    _url, engine = tracker
    request_erasure(factory)
    assert FORGOTTEN in stored(engine)  # Rasa is still in the turn: nothing deleted yet
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="501", text="/affirm"))
        assert session.get(PersonErasure, FORGOTTEN).tracker_done_at is not None
    assert stored(engine) == {KEPT: ["bonjour"]}


async def test_without_a_request_nothing_is_deleted_from_the_tracker_store(factory, tracker) -> None:
    before = stored(tracker[1])
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="501", text="merci"))
    assert stored(tracker[1]) == before


def test_an_erasure_no_turn_picked_up_is_done_by_the_worker_later(factory, tracker) -> None:
    request_erasure(factory)
    run_due_erasures(factory)
    assert FORGOTTEN in stored(tracker[1])  # the turn may still be running
    run_due_erasures(factory, now=utcnow() + timedelta(minutes=5))
    assert FORGOTTEN not in stored(tracker[1])
    with factory() as session:
        assert session.get(PersonErasure, FORGOTTEN) is None  # finished: nothing left to do, no trace kept


def test_a_deleted_conversation_is_not_left_readable_in_the_sqlite_file(factory, tracker) -> None:
    url, engine = tracker
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL files are the server's")
    request_erasure(factory)
    run_due_erasures(factory, now=utcnow() + timedelta(minutes=5))
    engine.dispose()
    path = Path(url.split(":///", 1)[1])
    for file in path.parent.glob(path.name + "*"):
        assert SECRET_TEXT.encode() not in file.read_bytes(), file.name


@pytest.mark.parametrize("broken", ["missing_file", "no_events_table", "unreachable"])
def test_a_tracker_store_that_cannot_be_reached_keeps_the_erasure_pending_and_says_so(
        tmp_path: Path, rasa: FakeRasa, broken: str, caplog: pytest.LogCaptureFixture) -> None:
    urls = {"missing_file": f"sqlite:///{tmp_path / 'missing-tracker.db'}",
            "no_events_table": f"sqlite:///{tmp_path / 'empty.db'}",
            "unreachable": "postgresql://postgres@127.0.0.1:9/rasa"}
    (tmp_path / "empty.db").touch()
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, RASA_TRACKER_URL=urls[broken]) as factory:
        request_erasure(factory)
        with caplog.at_level(logging.ERROR):
            run_due_erasures(factory, now=utcnow() + timedelta(minutes=5))
        with factory() as session:
            request = session.get(PersonErasure, FORGOTTEN)
            assert request is not None and request.tracker_done_at is None
            assert request.attempts == 1 and request.last_error
    assert "tracker_erasure_failed" in caplog.text
    assert not (tmp_path / "missing-tracker.db").exists()  # no empty tracker store was created to "succeed" in
    tracker_engine.cache_clear()
