"""The shared gateway path: pseudonymous ids, encrypted addresses, Rasa outages losing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.cases.models import CaseMessage
from api.crypto import decrypt
from api.gateways.conversation import conversation_id_for, handle_incoming, redeliver_pending_inbound
from api.nlg.render import render_response
from api.outbox.messages import IncomingMessage
from api.outbox.models import ChannelIdentity, InboundMessage, OutboundMessage
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa


@pytest.fixture
def factory(tmp_path: Path, rasa: FakeRasa) -> Iterator[sessionmaker[Session]]:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url) as made:
        yield made


async def test_message_reaches_rasa_under_a_pseudonymous_conversation_id(factory, rasa) -> None:
    rasa.replies = [{"text": "Bonjour", "buttons": [{"title": "Mes droits", "payload": "/rights_free_care"}]}]
    with factory() as session:
        replies = await handle_incoming(session, IncomingMessage(channel="tg", user_key="123456789", text="salut"))
    assert replies[0].text == "Bonjour"
    assert replies[0].buttons[0].payload == "/rights_free_care"
    sender = rasa.received[0]["sender"]
    assert sender.startswith("tg-") and "123456789" not in sender
    assert rasa.received[0]["message"] == "salut"


async def test_same_person_keeps_one_conversation_id_and_another_person_gets_another() -> None:
    first = conversation_id_for("wa", "+212600000001")
    assert first == conversation_id_for("wa", "+212600000001")
    assert first != conversation_id_for("wa", "+212600000002")
    assert first != conversation_id_for("tg", "+212600000001")


async def test_the_channel_address_is_stored_only_encrypted(factory) -> None:
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="wa", user_key="+212600000009", text="salam"))
        identity = session.scalars(select(ChannelIdentity)).one()
    assert "+212600000009" not in identity.encrypted_address
    assert decrypt(identity.encrypted_address) == "+212600000009"


async def test_a_shared_location_reaches_rasa_as_the_share_location_intent(factory, rasa) -> None:
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="42", text="",
                                                        latitude=34.68, longitude=-1.91))
    assert rasa.received[0]["message"] == '/share_location{"latitude": 34.68, "longitude": -1.91}'


async def test_a_message_sent_while_rasa_is_down_is_kept_and_answered_later(factory, rasa) -> None:
    rasa.up = False
    with factory() as session:
        replies = await handle_incoming(session, IncomingMessage(channel="web", user_key="k" * 20, text="merci"))
    assert [r.text for r in replies] == [render_response("channel.delayed_reply", "fr", {}).text]
    with factory() as session:
        assert session.scalars(select(InboundMessage.status)).all() == ["pending"]

    assert await redeliver_pending_inbound(factory) == 0  # still down: nothing lost, nothing sent
    rasa.up, rasa.replies = True, [{"text": "De rien"}]
    assert await redeliver_pending_inbound(factory) == 1
    assert await redeliver_pending_inbound(factory) == 0  # answered exactly once

    with factory() as session:
        # Answered: the gateway keeps no copy of the person's text (Rasa's tracker has it).
        assert session.scalars(select(InboundMessage.status)).all() == []
        outbox = session.scalars(select(OutboundMessage)).all()
    assert [row.payload["text"] for row in outbox] == ["De rien"]
    assert [m["message"] for m in rasa.received] == ["merci"]


async def test_no_raw_channel_id_appears_in_the_logs(factory, caplog) -> None:
    caplog.set_level("DEBUG")
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="wa", user_key="+212611223344", text="salam"))
    assert caplog.records, "the gateway logs its events"
    assert "+212611223344" not in caplog.text and "salam" not in caplog.text


async def test_a_voice_note_is_acknowledged_and_joins_the_persons_queued_case(factory, rasa) -> None:
    conversation_id = conversation_id_for("tg", "777")
    with factory() as session:
        case = case_held_by_operator(session, conversation_id, "tg")
        case.status = "queued"  # nobody has taken it yet
        session.commit()
        replies = await handle_incoming(session, IncomingMessage(
            channel="tg", user_key="777", text="", media_url="https://files.example/voice.ogg",
            metadata={"language": "fr", "media_type": "voice"}))
        stored = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert [r.text for r in replies] == [render_response("channel.media_acknowledged", "fr", {}).text]
    assert [(m.media_url, m.media_type) for m in stored] == [("https://files.example/voice.ogg", "voice")]
    assert rasa.received == []  # a voice note never goes to the bot


async def test_a_voice_note_without_a_case_is_acknowledged_and_nothing_else_is_stored(factory, rasa) -> None:
    with factory() as session:
        replies = await handle_incoming(session, IncomingMessage(
            channel="tg", user_key="778", text="", media_url="https://files.example/photo.jpg",
            metadata={"language": "en"}))
        assert session.scalars(select(CaseMessage)).all() == []
    assert [r.text for r in replies] == [render_response("channel.media_acknowledged", "en", {}).text]
