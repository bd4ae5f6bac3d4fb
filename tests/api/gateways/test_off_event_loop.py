"""The gateway's database work runs in the thread pool, never on the event loop the other conversations share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.gateways import conversation
from api.outbox.messages import IncomingMessage
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url) as made:
        yield made


@pytest.fixture
def commits_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the session methods called from the event loop's own thread."""
    loop_thread = threading.get_ident()
    seen: list[str] = []
    for name in ("commit", "execute", "scalar", "scalars", "get", "flush"):
        original = getattr(Session, name)

        def watched(self, *args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            if threading.get_ident() == loop_thread:
                seen.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Session, name, watched)
    return seen


async def test_a_bot_turn_touches_the_database_only_off_the_loop(factory, rasa, commits_on_the_loop) -> None:
    with factory() as session:
        replies = await conversation.handle_incoming(session, IncomingMessage(channel="web", user_key="k" * 32,
                                                                              text="bonjour"))
    assert replies and commits_on_the_loop == []


async def test_a_message_to_the_operator_too(factory, rasa, commits_on_the_loop) -> None:
    with factory() as session:
        case_held_by_operator(session, conversation.conversation_id_for("web", "o" * 32), "web")
        session.commit()
    commits_on_the_loop.clear()
    with factory() as session:
        await conversation.handle_incoming(session, IncomingMessage(channel="web", user_key="o" * 32, text="allo"))
    assert commits_on_the_loop == []
