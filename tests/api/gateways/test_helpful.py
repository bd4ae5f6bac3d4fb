""""Was this helpful?" on the chat channels: the buttons with a health answer, the tap counted once, anonymously.

The fake Rasa answers with the real catalogs' `utter_rights_free_care` exactly as the NLG endpoint
renders it (its own three buttons, then the two "helpful" ones). The person taps, types the
title, or types the number, on the web chat, Telegram and WhatsApp.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.core.clock import utcnow
from api.core.config import get_settings
from api.feedback.helpful import HelpfulVote, helpful_counts
from api.nlg.catalogs import catalog_store
from api.nlg.helpful import HelpfulAnswer, answer_in, is_helpful_payload, payload_for, with_helpful_buttons
from api.nlg.render import render_response
from api.outbox.choices import offered_buttons
from api.outbox.models import ChannelIdentity
from tests.api.gateways.test_typed_choices import someone, webchat, whatsapp_client  # noqa: F401

ANSWER = "utter_rights_free_care"


def answer_reply(language: str, name: str = ANSWER) -> dict[str, Any]:
    """The answer as the NLG endpoint gives it to Rasa (api/routes/nlg.py)."""
    snapshot = catalog_store(get_settings().locales_dir).snapshot()
    rendered = with_helpful_buttons(render_response(name, language, {}), snapshot, name)
    return {"text": rendered.text, "buttons": [{"title": b.title, "payload": b.payload} for b in rendered.buttons]}


def counts(factory: sessionmaker[Session], language: str = "fr") -> tuple[int, int]:
    with factory() as session:
        count = helpful_counts(session, language).get(ANSWER)
        return (count.yes, count.no) if count else (0, 0)


def asked(factory: sessionmaker[Session], conversation_id: str) -> bool:
    """Whether the person's last offered buttons hold the "helpful" ones."""
    with factory() as session:
        return any(is_helpful_payload(b.payload) for b in offered_buttons(session, conversation_id))


# --- the buttons and their payload ---------------------------------------------------------------------

def test_an_answer_to_a_health_question_carries_the_two_buttons_after_its_own() -> None:
    reply = answer_reply("ar")
    titles = [b["title"] for b in reply["buttons"]]
    assert len(titles) == 5 and titles[3:] == ["👍 مفيد", "👎 غير مفيد"]
    assert answer_in(reply["buttons"][3]["payload"]) == HelpfulAnswer(ANSWER, "ar", True)
    assert answer_in(reply["buttons"][4]["payload"]) == HelpfulAnswer(ANSWER, "ar", False)


@pytest.mark.parametrize("name", ["utter_greet", "utter_emergency_numbers", "utter_help_menu", "utter_privacy"])
def test_greetings_menus_emergencies_and_the_privacy_text_do_not_ask(name: str) -> None:
    assert not any(is_helpful_payload(b["payload"]) for b in answer_reply("fr", name)["buttons"])


@pytest.mark.parametrize("text", ['/helpful{"msgid":"x","language":"xx","helpful":true}', "/helpful{oops",
                                  '/helpful{"msgid":"x","language":"fr","helpful":"yes"}', "/helpful", "utile"])
def test_a_malformed_payload_is_no_answer(text: str) -> None:
    assert answer_in(text) is None


def test_the_payload_round_trips() -> None:
    answer = HelpfulAnswer("utter_hiv_sti", "wo", False)
    assert answer_in(payload_for(answer)) == answer


# --- on each channel ----------------------------------------------------------------------------------

async def test_a_tap_is_counted_once_and_never_reaches_the_bot(someone, clouds, factory) -> None:  # noqa: F811
    clouds.rasa.replies = [answer_reply("fr")]
    await someone.say("les soins sont gratuits ?")
    assert asked(factory, someone.conversation_id)
    received = len(clouds.rasa.received)
    yes = answer_reply("fr")["buttons"][3]["payload"]
    await someone.say(yes)
    await someone.say(yes)  # a second tap on the same button is thanked, not counted again
    assert len(clouds.rasa.received) == received  # the dialogue never saw the taps
    assert counts(factory) == (1, 0)
    with factory() as session:  # the answer's own buttons are still there to choose by number
        assert [b.payload for b in offered_buttons(session, someone.conversation_id)] == \
            ["/show_rights_card", "/rights_hospital_billing", "/find_service"]


@pytest.mark.parametrize("typed, expected", [("pas utile", (0, 1)), ("👍 UTILE", (1, 0)), ("5", (0, 1))])
async def test_a_typed_title_or_number_counts_like_a_tap(someone, clouds, factory, typed: str,  # noqa: F811
                                                         expected: tuple[int, int]) -> None:
    clouds.rasa.replies = [answer_reply("fr")]
    await someone.say("les soins sont gratuits ?")
    received = len(clouds.rasa.received)
    await someone.say(typed)
    assert len(clouds.rasa.received) == received
    assert counts(factory) == expected


async def test_the_question_goes_out_at_most_once_in_a_while(someone, clouds, factory) -> None:  # noqa: F811
    clouds.rasa.replies = [answer_reply("fr")]
    await someone.say("les soins sont gratuits ?")
    assert asked(factory, someone.conversation_id)
    await someone.say("et pour les enfants ?")
    assert not asked(factory, someone.conversation_id)  # answered again, not asked again
    assert clouds.rasa.received[-1]["message"] == "et pour les enfants ?"
    minutes = get_settings().helpful_question_minutes
    with factory() as session:
        session.execute(update(ChannelIdentity).where(ChannelIdentity.conversation_id == someone.conversation_id)
                        .values(helpful_asked_at=utcnow() - timedelta(minutes=minutes + 1)))
        session.commit()
    await someone.say("et à l'hôpital ?")
    assert asked(factory, someone.conversation_id)


async def test_the_question_can_be_answered_after_another_turn(someone, clouds, factory) -> None:  # noqa: F811
    clouds.rasa.replies = [answer_reply("fr")]
    await someone.say("les soins sont gratuits ?")
    clouds.rasa.replies = [{"text": "Que voulez-vous savoir ?", "buttons": [{"title": "Soins", "payload": "/a"}]}]
    await someone.say("oui")  # the bot's menu: its buttons are the ones offered now
    received = len(clouds.rasa.received)
    await someone.say("👍 utile")  # the title typed by hand, one turn later
    await someone.say(answer_reply("fr")["buttons"][4]["payload"])  # then the older "not helpful" tapped
    assert len(clouds.rasa.received) == received and counts(factory) == (1, 0)  # the first one counted, once


async def test_a_payload_that_was_not_offered_is_thanked_but_not_counted(someone, clouds, factory) -> None:  # noqa: F811
    clouds.rasa.replies = [{"text": "Bonjour"}]
    await someone.say(payload_for(HelpfulAnswer(ANSWER, "fr", True)))
    assert clouds.rasa.received == [] and counts(factory) == (0, 0)


async def test_the_web_chat_shows_the_buttons_and_thanks_in_the_persons_language(webchat, clouds,  # noqa: F811
                                                                                 factory) -> None:
    clouds.rasa.replies = [answer_reply("ary")]
    token = uuid.uuid4().hex
    body = webchat.post("/chat/api/messages", json={"token": token, "text": "واش الدوا فابور؟"}).json()
    titles = [b["title"] for b in body["replies"][0]["buttons"]]
    assert titles[-2:] == ["👍 نفعني", "👎 ما نفعنيش"]
    thanks = webchat.post("/chat/api/messages", json={"token": token, "text": "ما نفعنيش"}).json()
    [reply] = thanks["replies"]
    assert reply["text"] == render_response("channel.helpful_thanks", "ary", {}).text and reply["buttons"] == []
    assert counts(factory, "ary") == (0, 1)


def test_a_count_holds_the_message_the_language_and_the_day_only(factory) -> None:  # noqa: F811
    with factory() as session:
        columns = {column["name"] for column in inspect(session.get_bind()).get_columns("helpful_vote")}
        assert columns == {"id", "language", "msgid", "helpful", "created_at"}
        from api.feedback.helpful import record_vote

        record_vote(session, "fr", ANSWER, True)
        session.commit()
        created = session.scalar(select(func.max(HelpfulVote.created_at)))
        assert created is not None and (created.hour, created.minute, created.second) == (0, 0, 0)
