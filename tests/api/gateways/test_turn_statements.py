"""The database statements of a web chat turn: every message pays them, so their number is kept in check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event
from sqlalchemy.orm import Session, sessionmaker

from api.cases import handoff
from api.cases.models import CaseSatisfaction
from api.db import get_engine
from api.gateways.conversation import _known, conversation_id_for, remember_identity
from api.outbox.choices import buttons_on_offer, offered_buttons, remember_offered_buttons
from api.outbox.messages import BotReply, Button
from api.outbox.models import OfferedChoice
from tests.api.cases.fixtures import BACKENDS, empty_database_url, postgres_url, sqlite_template  # noqa: F401
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.api.gateways.test_responses import to_render
from tests.support.app_db import app_settings
from tests.support.fake_rasa import FakeRasa

TOKEN = "s" * 32
# Before the turn: the receipt's claim, one read of what is known of the person, the identity's
# last-seen time and the stored message. After it: the question asked (on the identity), the buttons
# on offer, the receipt's replies, the stored message's delete and the erasure check. The same turn
# ran 16 before `_known`, and before the receipts' pruning moved to the background jobs.
MOST_STATEMENTS_PER_TURN = 9


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The statements the gateway's database thread runs (the background jobs run on threads of their own)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name.startswith("sqlite"):
            seen.append(" ".join(statement.split())[:90])

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def say(client: TestClient, text: str, message_id: str) -> list[dict[str, Any]]:
    response = client.post("/chat/api/messages", json={"token": TOKEN, "text": text, "client_message_id": message_id})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_a_turn_of_a_person_who_wrote_before_runs_a_handful_of_statements(
        webchat_client: TestClient, rasa: FakeRasa, statements: list[str]) -> None:
    rasa.replies = [{"text": "Bonjour !", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]
    say(webchat_client, "bonjour", "turn-0001")
    statements.clear()
    # An answer that asks "Was this helpful?": the identity is read again to remember the question.
    rasa.replies = [to_render("utter_rights_free_care", "fr")]
    [reply] = say(webchat_client, "1", "turn-0002")
    assert rasa.received[-1]["message"] == "/affirm"  # the offer was read
    assert reply["buttons"][-1]["payload"].startswith("/helpful")  # and the question asked
    assert 0 < len(statements) <= MOST_STATEMENTS_PER_TURN, "\n".join(statements)


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.postgres) if b == "postgresql" else b for b in BACKENDS])
def factory(request: pytest.FixtureRequest, tmp_path: Path,
            sqlite_template: Path) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    with app_settings({"DATABASE_URL": empty_database_url(request, tmp_path, sqlite_template)}) as made:
        yield made


def test_the_one_read_finds_what_the_separate_reads_find(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        someone, held, asked = (remember_identity(session, "tg", key) for key in ("1001", "1002", "1003"))
        remember_offered_buttons(session, someone, [BotReply(text="?", buttons=(Button("Oui", "/affirm"),))])
        session.commit()
        case = case_held_by_operator(session, held, "tg")
        closed = case_held_by_operator(session, asked, "tg")
        closed.status = "closed"
        session.add(CaseSatisfaction(case_id=closed.id, association_id=closed.queue.association_id,
                                     queue_id=closed.queue_id, language="fr", conversation_id=asked))
        session.commit()
    with factory() as session:
        assert _known(session, conversation_id_for("tg", "never-wrote")) is None
        found = {cid: _known(session, cid) for cid in (someone, held, asked)}
        assert [(k.identity.conversation_id, k.held_case_id, k.satisfaction_asked) for k in found.values()
                if k is not None] == [(someone, None, False), (held, case.id, False), (asked, None, True)]
        assert found[someone] is not None and buttons_on_offer(found[someone].offer) == (Button("Oui", "/affirm"),)
        # The same answers as the reads the gateway makes for a first message.
        assert offered_buttons(session, someone) == (Button("Oui", "/affirm"),)
        assert handoff.open_case_held_by_operator(session, held) is not None
        assert handoff.open_case_held_by_operator(session, asked) is None


def test_buttons_whose_row_was_deleted_during_the_turn_are_offered_anew(
        webchat_client: TestClient, rasa: FakeRasa) -> None:
    # Read before the bot was asked, deleted while it answered (an operator claiming the case, an erasure).
    rasa.replies = [{"text": "Bonjour !", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]
    say(webchat_client, "bonjour", "turn-0101")

    def delete_the_offer() -> None:
        with webchat_client.factory() as session:  # type: ignore[attr-defined]
            session.execute(delete(OfferedChoice))
            session.commit()

    rasa.during_turn = delete_the_offer
    rasa.replies = [{"text": "Et maintenant ?", "buttons": [{"title": "Non", "payload": "/deny"}]}]
    [reply] = say(webchat_client, "1", "turn-0102")
    assert reply["text"] == "Et maintenant ?"
    rasa.during_turn = None
    say(webchat_client, "1", "turn-0103")
    assert rasa.received[-1]["message"] == "/deny"
