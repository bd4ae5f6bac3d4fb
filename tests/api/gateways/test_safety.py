"""The gateway answers whatever the bot does: silent or looping turns, a failing message, an emergency in a handoff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.cases.models import AuditEvent, CaseMessage, LiveEvent
from api.gateways.conversation import (
    MAX_REDELIVERY_ATTEMPTS,
    conversation_id_for,
    handle_incoming,
    redeliver_pending_inbound,
)
from api.nlg.render import render_response
from api.outbox.messages import IncomingMessage
from api.outbox.models import InboundMessage, OutboundMessage
from tests.api.gateways.cases_for_tests import case_held_by_operator


def web(text: str, key: str = "k" * 24) -> IncomingMessage:
    return IncomingMessage(channel="web", user_key=key, text=text)


def texts(replies) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in replies]


async def test_a_silent_bot_turn_gets_the_emergency_numbers_and_rasa_is_made_to_listen(factory, clouds) -> None:
    # What Rasa does after its circuit breaker: no reply, and the turn left without `action_listen`.
    clouds.rasa.replies, clouds.rasa.latest_action_name, clouds.rasa.slots["language"] = [], "utter_default", "ar"
    with factory() as session:
        replies = await handle_incoming(session, web("نعم"))
    failed = render_response("channel.bot_failed", "ar", {})
    assert texts(replies) == [failed.text] and "15" in failed.text and "112" in failed.text
    assert [b.payload for b in replies[0].buttons] == ["/request_human"]
    assert clouds.rasa.events == [(conversation_id_for("web", "k" * 24), {"event": "action", "name": "action_listen"})]


async def test_a_silent_turn_of_a_listening_bot_is_answered_without_touching_the_conversation(factory, clouds) -> None:
    clouds.rasa.replies = []
    with factory() as session:
        replies = await handle_incoming(session, web("/restart"))
    assert texts(replies) == [render_response("channel.bot_failed", "fr", {}).text]
    assert clouds.rasa.events == []


async def test_a_looping_turn_is_answered_once_and_rasa_is_made_to_listen(factory, clouds) -> None:
    loop = {"text": "Je n'ai pas compris."}
    clouds.rasa.replies, clouds.rasa.latest_action_name = [loop] * 5, "utter_default"
    with factory() as session:
        replies = await handle_incoming(session, web("oui"))
    assert texts(replies) == ["Je n'ai pas compris."]
    assert [event for _, event in clouds.rasa.events] == [{"event": "action", "name": "action_listen"}]


async def test_a_normal_turn_costs_no_extra_request(factory, clouds) -> None:
    clouds.rasa.replies, clouds.rasa.latest_action_name = [{"text": "a"}, {"text": "b"}], "utter_default"
    with factory() as session:
        assert texts(await handle_incoming(session, web("salut"))) == ["a", "b"]
    assert clouds.rasa.events == []


async def test_the_hotline_number_is_given_when_the_deployment_set_one(factory, clouds, monkeypatch) -> None:
    from api.core.config import get_settings

    monkeypatch.setenv("HOTLINE_PHONE", "+212 5 00 00 00 00")
    get_settings.cache_clear()
    clouds.rasa.replies = []
    with factory() as session:
        [reply] = await handle_incoming(session, web("ok"))
    hotline = render_response("channel.hotline_phone", "fr", {"phone": "+212 5 00 00 00 00"}).text
    assert reply.text.endswith("\n" + hotline)
    get_settings.cache_clear()


@pytest.mark.parametrize("language", ["fr", "ar", "ary", "en"])
async def test_an_emergency_written_to_the_operator_gets_the_numbers_at_once_and_alerts_the_console(
        factory, clouds, language: str) -> None:
    clouds.rasa.parses["mon ami ne respire plus"] = "emergency"
    conversation_id = conversation_id_for("web", "k" * 24)
    with factory() as session:
        case = case_held_by_operator(session, conversation_id, "web", language)
        replies = await handle_incoming(session, web("mon ami ne respire plus"))
        stored = session.scalars(select(CaseMessage.text).where(CaseMessage.case_id == case.id)).all()
        kinds = session.scalars(select(LiveEvent.kind).where(LiveEvent.case_id == case.id)).all()
        audited = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert texts(replies) == [render_response("utter_emergency_numbers", language, {}).text]
    assert stored == ["mon ami ne respire plus"]  # the operator still gets the message
    assert "person_emergency" in kinds and "person_emergency_message" in audited
    assert clouds.rasa.received == []  # the bot's conversation is not touched


async def test_an_ordinary_message_to_the_operator_gets_no_bot_answer(factory, clouds) -> None:
    conversation_id = conversation_id_for("web", "k" * 24)
    with factory() as session:
        case = case_held_by_operator(session, conversation_id, "web")
        assert await handle_incoming(session, web("merci, à demain")) == []
        kinds = session.scalars(select(LiveEvent.kind).where(LiveEvent.case_id == case.id)).all()
    assert clouds.rasa.parsed == ["merci, à demain"] and "person_emergency" not in kinds


async def test_a_message_rasa_keeps_failing_on_is_answered_and_does_not_hold_up_the_others(factory, clouds) -> None:
    clouds.rasa.webhook_up = False  # Rasa is up (status answers) but fails on this message
    with factory() as session:
        replies = await handle_incoming(session, web("\x00\x00"))
    assert texts(replies) == [render_response("channel.delayed_reply", "fr", {}).text]
    for _ in range(MAX_REDELIVERY_ATTEMPTS - 1):
        assert await redeliver_pending_inbound(factory) == 0
    assert await redeliver_pending_inbound(factory) == 1
    with factory() as session:
        assert session.scalars(select(InboundMessage.status)).all() == []  # answered: the gateway keeps no copy
        [row] = session.scalars(select(OutboundMessage)).all()
    assert row.payload["text"] == render_response("channel.bot_failed", "fr", {}).text


async def test_while_rasa_is_down_a_message_waits_however_many_tries(factory, clouds) -> None:
    clouds.rasa.up = False
    with factory() as session:
        await handle_incoming(session, web("merci"))
    for _ in range(MAX_REDELIVERY_ATTEMPTS + 2):
        assert await redeliver_pending_inbound(factory) == 0
    with factory() as session:
        assert session.scalars(select(InboundMessage.status)).all() == ["pending"]
