"""A person's /forget reaches Rasa's tracker store: their conversation is deleted once the turn is over."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.gateways.bot_history import erase_overdue_bot_histories, request_bot_history_erasure
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.gateways.messages import IncomingMessage
from api.gateways.models import BotHistoryErasure, utcnow
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa, running_fake_rasa


def tracker_store(path: Path, events: dict[str, list[str]]) -> Path:
    """A tracker database shaped like Rasa's SQLTrackerStore, holding these user texts per sender."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
                   " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
                   " action_name VARCHAR(255), data TEXT)")
        for sender, texts in events.items():
            db.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, 'user', ?)",
                           [(sender, text) for text in texts])
    return path


def stored_texts(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    found: dict[str, list[str]] = {}
    for sender, text in rows:
        found.setdefault(sender, []).append(text)
    return found


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    return tracker_store(tmp_path / "tracker.db", {
        conversation_id_for("tg", "501"): ["I was attacked near the station", "yes, forget me"],
        conversation_id_for("tg", "502"): ["bonjour"],
    })


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa, tracker_db: Path) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, RASA_TRACKER_DB=str(tracker_db)) as made:
        yield made


async def test_the_conversation_leaves_the_tracker_store_when_the_forget_turn_is_over(factory, tracker_db) -> None:
    forgotten = conversation_id_for("tg", "501")
    with factory() as session:
        request_bot_history_erasure(session, forgotten)
        session.commit()
        assert forgotten in stored_texts(tracker_db)  # Rasa is still in the turn: nothing deleted yet
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="501", text="/affirm"))
        assert session.get(BotHistoryErasure, forgotten).done_at is not None
    assert stored_texts(tracker_db) == {conversation_id_for("tg", "502"): ["bonjour"]}


async def test_without_a_request_nothing_is_deleted_from_the_tracker_store(factory, tracker_db) -> None:
    before = stored_texts(tracker_db)
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="501", text="merci"))
    assert stored_texts(tracker_db) == before


async def test_an_erasure_no_turn_picked_up_is_done_by_the_worker_later(factory, tracker_db) -> None:
    forgotten = conversation_id_for("tg", "501")
    with factory() as session:
        request_bot_history_erasure(session, forgotten)
        session.commit()
    assert erase_overdue_bot_histories(factory) == 0  # not overdue yet
    with factory() as session:
        session.get(BotHistoryErasure, forgotten).requested_at = utcnow() - timedelta(minutes=5)
        session.commit()
    assert erase_overdue_bot_histories(factory) == 1
    assert forgotten not in stored_texts(tracker_db)
    assert erase_overdue_bot_histories(factory) == 0
