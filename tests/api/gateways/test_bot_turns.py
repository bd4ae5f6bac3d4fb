"""A few bot turns with Rasa at once, the rest waiting in arrival order; a turn that cannot get a slot in time is kept."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings, get_settings
from api.gateways.bot_turns import bot_turn_slot, cores, turns_in_flight
from api.gateways.conversation import ask_bot, handle_incoming, redeliver_pending_inbound
from api.nlg.render import render_response
from api.outbox.messages import IncomingMessage
from api.outbox.models import InboundMessage, OutboundMessage
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, BOT_TURNS_IN_FLIGHT="2",
                         RASA_TIMEOUT_SECONDS="0.5") as made:
        yield made


class InFlight:
    """Counts the turns Rasa is answering at the same moment (FakeRasa.during_turn runs on a thread)."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.15)
        with self.lock:
            self.now -= 1


async def test_at_most_the_slots_are_with_rasa_at_once_the_others_wait_in_order_and_all_are_answered(
        factory, rasa) -> None:
    counter = InFlight()
    rasa.during_turn, rasa.replies = counter, [{"text": "Bonjour"}]
    answers = await asyncio.gather(*(ask_bot(f"web-{n}", "salut", {}) for n in range(6)))
    assert [[reply.text for reply in replies] for replies in answers] == [["Bonjour"]] * 6
    assert counter.most == 2
    # Two at a time, first come first served: the first two asked are answered first, and so on.
    received = [int(body["sender"].removeprefix("web-")) for body in rasa.received]
    assert [set(received[:2]), set(received[2:4]), set(received[4:])] == [{0, 1}, {2, 3}, {4, 5}]


async def test_a_message_that_gets_no_slot_in_time_is_kept_and_answered_later(factory, rasa) -> None:
    rasa.replies = [{"text": "De rien"}]
    settings = get_settings()
    async with bot_turn_slot(settings), bot_turn_slot(settings):  # both slots taken for longer than the wait
        with factory() as session:
            replies = await handle_incoming(session, IncomingMessage(channel="web", user_key="k" * 20, text="merci"))
        assert [r.text for r in replies] == [render_response("channel.delayed_reply", "fr", {}).text]
        assert rasa.received == []
        with factory() as session:
            assert session.scalars(select(InboundMessage.status)).all() == ["pending"]
    # The slots are free again: the kept message is answered once, through the outbox.
    assert await redeliver_pending_inbound(factory) == 1
    with factory() as session:
        assert [row.payload["text"] for row in session.scalars(select(OutboundMessage))] == ["De rien"]
    assert [body["message"] for body in rasa.received] == ["merci"]


def test_unset_the_slots_are_two_per_core_plus_one_and_zero_is_refused() -> None:
    assert turns_in_flight(Settings(bot_turns_in_flight=None)) == 2 * cores() + 1
    assert turns_in_flight(Settings(bot_turns_in_flight=3)) == 3
    with pytest.raises(ValidationError):
        Settings(bot_turns_in_flight=0)
