"""The case shows the bot conversation before the escalation: redacted, consented, and gone with an erasure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from api.bot_history import delete_tracker_events, tracker_engine
from api.cases.context import CONTEXT_TURNS, bot_context
from api.cases.models import Case
from api.core.clock import utcnow
from api.core.config import get_settings
from api.db import make_engine
from api.nlg.render import render_response
from tests.api.cases.fixtures import create_case, login

EVENTS_DDL = ("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) "
              "NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")


def add_event(engine: Engine, sender: str, type_name: str, data: dict, at: float) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :at, :d)"),
                           {"s": sender, "t": type_name, "at": at, "d": json.dumps(data)})


@pytest.fixture
def tracker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An SQLite tracker store shaped like Rasa's, configured for the app."""
    path = tmp_path / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text(EVENTS_DDL))
    monkeypatch.setenv("RASA_TRACKER_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    tracker_engine.cache_clear()
    yield engine
    engine.dispose()
    tracker_engine.cache_clear()


def conversation(engine: Engine, sender: str, before: float) -> None:
    """A short bot conversation ending `before` (a timestamp), plus one action event that is not a turn."""
    add_event(engine, sender, "user", {"text": "bonjour, mon numéro est 0612345678"}, before - 30)
    add_event(engine, sender, "action", {"name": "action_listen"}, before - 29)
    add_event(engine, sender, "bot", {"text": "Bonjour ! Que voulez-vous savoir ?",
                                      "data": {"buttons": [{"title": "Parler à une personne", "payload": "/x"}]}},
              before - 28)
    add_event(engine, sender, "user", {"text": "je veux parler à quelqu'un"}, before - 20)


def test_the_case_shows_the_redacted_turns_before_the_escalation_only(client, seeded, tracker) -> None:
    login(client, "op.a@example.org")
    now = utcnow().timestamp()
    conversation(tracker, "tg-ctx1", now)
    created = create_case(client, conversation_id="tg-ctx1")
    # After the case exists the person talks to the operator; a later bot turn is not context.
    add_event(tracker, "tg-ctx1", "user", {"text": "much later"}, now + 3600)
    add_event(tracker, "tg-other", "user", {"text": "someone else"}, now - 10)

    body = client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()
    assert body["available"] is True
    assert [(t["speaker"], t["text"]) for t in body["turns"]] == [
        ("person", "bonjour, mon numéro est [☎]"),
        ("bot", "Bonjour ! Que voulez-vous savoir ?\n[Parler à une personne]"),
        ("person", "je veux parler à quelqu'un")]
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert "je veux parler à quelqu&#39;un" in page and "0612345678" not in page and "much later" not in page


def test_without_consent_no_turn_is_shown(client, seeded, tracker) -> None:
    login(client, "op.a@example.org")
    conversation(tracker, "tg-ctx2", utcnow().timestamp())
    created = create_case(client, conversation_id="tg-ctx2", consent=False)
    body = client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()
    assert body == {"available": True, "turns": []}


def test_only_the_last_turns_are_shown_and_an_erasure_removes_them(factory, seeded, client, tracker) -> None:
    login(client, "op.a@example.org")
    now = utcnow().timestamp()
    for n in range(CONTEXT_TURNS + 5):
        add_event(tracker, "tg-ctx3", "user", {"text": f"message {n}"}, now - 100 + n)
    created = create_case(client, conversation_id="tg-ctx3")
    turns = client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()["turns"]
    assert [t["text"] for t in turns] == [f"message {n}" for n in range(5, CONTEXT_TURNS + 5)]
    # What an erasure and the retention job call: the context is read from there, so it goes with it.
    delete_tracker_events(["tg-ctx3"])
    assert client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()["turns"] == []


def test_another_associations_case_context_is_not_found(client, seeded, tracker) -> None:
    created = create_case(client, conversation_id="tg-ctx4", city="Rabat")
    login(client, "op.a@example.org")
    assert client.get(f"/api/v1/cases/{created['case_id']}/bot-context").status_code == 404


def test_an_unreachable_tracker_store_says_so_instead_of_failing(factory, seeded, tmp_path) -> None:
    with factory() as session:
        case = Case(reference="MS-234679", idempotency_key="k", queue_id=seeded.queue_a, conversation_id="tg-x",
                    channel="tg", language="fr", triage_level="other", base_priority=0, consent=True,
                    created_at=utcnow() - timedelta(minutes=1))
        session.add(case)
        session.commit()
        assert bot_context(case, engine=make_engine(f"sqlite:///{tmp_path / 'empty.db'}")) is None


def test_a_bot_turn_stored_as_a_response_to_render_shows_its_text_in_the_persons_language(client, seeded,
                                                                                          tracker) -> None:
    """Rasa stores the response's name and what renders it (botserver/deferred_render.py), not its text."""
    login(client, "op.a@example.org")
    now = utcnow().timestamp()
    add_event(tracker, "tg-ctx5", "user", {"text": "أين أجد مستشفى؟ رقمي 0612345678"}, now - 30)
    render = {"response": "utter_ask_city", "arguments": {},
              "tracker": {"slots": {"language": "ar"}, "latest_message": {}, "active_loop": {"name": None}}}
    add_event(tracker, "tg-ctx5", "bot", {"text": None, "data": {"custom": {"render": render}}}, now - 29)
    add_event(tracker, "tg-ctx5", "bot", {"text": None, "data": {"custom": {"render": {
        "response": "utter_no_such_message", "tracker": {"slots": {"language": "ar"}}}}}}, now - 28)
    created = create_case(client, conversation_id="tg-ctx5")
    turns = client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()["turns"]
    expected = render_response("utter_ask_city", "ar").text
    assert expected and any("\u0600" <= ch <= "\u06ff" for ch in expected)
    # A response no catalog knows any more is left out rather than shown empty.
    assert [(t["speaker"], t["text"]) for t in turns] == [("person", "أين أجد مستشفى؟ رقمي [☎]"), ("bot", expected)]
    assert expected in client.get(f"/console/cases/{created['case_id']}").text.replace("&#39;", "'")


def test_a_tapped_button_shows_as_the_title_the_person_saw_not_its_payload(client, seeded, tracker) -> None:
    """Rasa keeps the payload of a tapped (or typed) choice; the operator reads the button's title."""
    login(client, "op.a@example.org")
    now = utcnow().timestamp()
    render = {"response": "utter_ask_contact_mode", "arguments": {},
              "tracker": {"slots": {"language": "ar"}, "latest_message": {}, "active_loop": {"name": None}}}
    add_event(tracker, "tg-ctx6", "bot", {"text": None, "data": {"custom": {"render": render}}}, now - 30)
    add_event(tracker, "tg-ctx6", "user", {"text": '/choose_contact_mode{"contact_mode": "chat"}'}, now - 29)
    add_event(tracker, "tg-ctx6", "bot", {"text": "Un enfant ?", "data": {"buttons": [
        {"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]}}, now - 28)
    add_event(tracker, "tg-ctx6", "user", {"text": "/deny"}, now - 27)
    add_event(tracker, "tg-ctx6", "user", {"text": "/stop"}, now - 26)  # typed by hand: no button had it
    created = create_case(client, conversation_id="tg-ctx6")
    turns = client.get(f"/api/v1/cases/{created['case_id']}/bot-context").json()["turns"]
    chat = render_response("utter_ask_contact_mode", "ar").buttons[0]
    assert chat.payload == '/choose_contact_mode{"contact_mode": "chat"}' and "\u0600" <= chat.title[0] <= "\u06ff"
    assert [(t["speaker"], t["text"]) for t in turns if t["speaker"] == "person"] == [
        ("person", f"[{chat.title}]"), ("person", "[Non]"), ("person", "/stop")]
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert "[Non]" in page and "/deny" not in page
