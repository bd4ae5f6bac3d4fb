"""Typed choices on every channel: a number or a button's title typed by hand selects that button, before the NLU.

The fake Rasa offers the real main menu of the catalogs (fr, ar, ary); the person answers the
way people do: a digit, an Eastern Arabic digit, the title in other case, without accents or
with other Arabic letter forms.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from telegram import Update
from telegram.ext import Application

from api.cases import workflow
from api.core.clock import utcnow
from api.gateways.conversation import conversation_id_for
from api.nlg.render import render_response
from api.outbox.choices import choose, normalise_choice
from api.outbox.messages import Button
from api.outbox.models import OfferedChoice
from api.routes.webchat import router as webchat_router
from api.routes.whatsapp import router as whatsapp_router
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.api.gateways.conftest import WHATSAPP_FROM
from tests.api.gateways.webhook_requests import gateway_app, signed_post

MENU = "utter_help_menu"
# How a person may type the 2nd choice (the rights card) and the 7th (a person) of the main menu.
TYPED = {
    "fr": {"number": "2", "title": "carte des DROITS", "other_title": "parler a une personne"},
    "ar": {"number": "٢", "title": "بِطاقَةُ الحقوق", "other_title": "التحدث مع شخص"},
    "ary": {"number": "٢", "title": "بطاقه الحقوق", "other_title": "نهضر مع شي واحد"},
}


def menu_reply(language: str) -> dict[str, Any]:
    """The main menu exactly as the NLG endpoint renders it for Rasa."""
    rendered = render_response(MENU, language, {})
    return {"text": rendered.text, "buttons": [{"title": b.title, "payload": b.payload} for b in rendered.buttons]}


def payload(language: str, number: int) -> str:
    return render_response(MENU, language, {}).buttons[number - 1].payload


# --- the matching rule -------------------------------------------------------------------------------

OFFERED = (Button("Oui, d'accord", "/affirm"), Button("Non", "/deny"))


@pytest.mark.parametrize("typed, expected", [
    ("1", "/affirm"), (" 2 ", "/deny"), ("2.", "/deny"), ("٢", "/deny"), ("۱", "/affirm"),
    ("oui, d'accord", "/affirm"), ("OUI D'ACCORD", "/affirm"), ("non !", "/deny"),
])
def test_a_number_or_a_title_selects_the_button(typed: str, expected: str) -> None:
    chosen = choose(typed, OFFERED)
    assert chosen is not None and chosen.payload == expected


@pytest.mark.parametrize("typed", ["0", "3", "12", "oui je veux", "", "/affirm"])
def test_anything_else_is_no_choice(typed: str) -> None:
    assert choose(typed, OFFERED) is None


def offer(key: str, language: str) -> tuple[Button, ...]:
    return tuple(Button(b.title, b.payload) for b in render_response(key, language, {}).buttons)


@pytest.mark.parametrize("key, language, typed, number", [
    ("utter_ask_contact_mode", "fr", "appel", 2), ("utter_ask_contact_mode", "fr", "écrite ici", 1),
    ("utter_ask_contact_mode", "en", "phone", 2), ("utter_ask_contact_mode", "ar", "مكالمة", 2),
    ("utter_ask_topic", "fr", "refus", 2), ("utter_ask_topic", "fr", "grossesse", 3),
    ("utter_ask_topic", "en", "pregnancy", 3), ("utter_help_menu", "fr", "service", 3),
])
def test_words_of_one_title_only_select_it(key: str, language: str, typed: str, number: int) -> None:
    buttons = offer(key, language)
    assert choose(typed, buttons) == buttons[number - 1], [b.title for b in buttons]


@pytest.mark.parametrize("key, language, typed", [
    ("utter_ask_topic", "fr", "soins"),  # in two titles: "Droits, soins gratuits" and "Refus de soins"
    ("utter_ask_topic", "fr", "de"),  # no word long enough to say anything
    ("utter_ask_topic", "fr", "refus de soins a l hopital"),  # a sentence: the NLU reads it
    ("utter_ask_forget_confirm", "fr", "effacer"),  # never a partial yes to the erasure
    ("utter_ask_escalation_consent", "fr", "accord"),
    ("utter_help_menu", "fr", "je cherche un service"),
])
def test_words_in_two_titles_a_sentence_or_part_of_a_yes_select_nothing(key: str, language: str, typed: str) -> None:
    assert choose(typed, offer(key, language)) is None


def test_titles_are_compared_without_case_accents_diacritics_or_letter_forms() -> None:
    assert normalise_choice("Évaluer LA Santé") == normalise_choice("evaluer la sante")
    assert normalise_choice("بِطَاقَةُ الحُقُوق") == normalise_choice("بطاقه الحقوق")
    assert normalise_choice("إيه، موافق") == normalise_choice("ايه، موافق")
    assert normalise_choice("\u2068Soins gratuits ?\u2069") == "soins gratuits"


# --- on each channel ----------------------------------------------------------------------------------

@pytest.fixture
def webchat(factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(gateway_app(webchat_router)) as client:
        yield client


@pytest.fixture
def whatsapp_client(factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(gateway_app(whatsapp_router)) as client:
        yield client


class WebChat:
    def __init__(self, client: TestClient) -> None:
        self.client, self.token = client, uuid.uuid4().hex

    @property
    def conversation_id(self) -> str:
        return conversation_id_for("web", self.token)

    async def say(self, text: str) -> None:
        response = self.client.post("/chat/api/messages", json={"token": self.token, "text": text})
        assert response.status_code == 200, response.text


class WhatsApp:
    def __init__(self, client: TestClient) -> None:
        self.client, self.phone = client, f"+2126{uuid.uuid4().int % 10**8:08d}"

    @property
    def conversation_id(self) -> str:
        return conversation_id_for("wa", self.phone)

    async def say(self, text: str) -> None:
        params = {"From": f"whatsapp:{self.phone}", "To": WHATSAPP_FROM, "Body": text, "NumMedia": "0",
                  "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32}
        assert signed_post(self.client, "/webhooks/whatsapp", params).status_code == 200


class Telegram:
    def __init__(self, application: Application) -> None:
        self.application, self.chat_id, self.update_id = application, uuid.uuid4().int % 10**9, 0

    @property
    def conversation_id(self) -> str:
        return conversation_id_for("tg", str(self.chat_id))

    async def say(self, text: str) -> None:
        self.update_id += 1
        person = {"id": self.chat_id, "is_bot": False, "first_name": "A"}
        update = {"update_id": self.update_id, "message": {
            "message_id": self.update_id, "date": int(time.time()), "from": person,
            "chat": {"id": self.chat_id, "type": "private"}, "text": text}}
        await self.application.process_update(Update.de_json(update, self.application.bot))


@pytest.fixture(params=["web", "tg", "wa"])
def someone(request, webchat, whatsapp_client, bridge):  # type: ignore[no-untyped-def]
    return {"web": lambda: WebChat(webchat), "wa": lambda: WhatsApp(whatsapp_client),
            "tg": lambda: Telegram(bridge)}[request.param]()


@pytest.mark.parametrize("language", sorted(TYPED))
async def test_a_typed_number_selects_the_offered_button(someone, clouds, language: str) -> None:
    clouds.rasa.replies = [menu_reply(language)]
    await someone.say("menu")
    await someone.say(TYPED[language]["number"])
    assert clouds.rasa.received[-1]["message"] == payload(language, 2)


@pytest.mark.parametrize("language", sorted(TYPED))
async def test_a_typed_button_title_selects_the_offered_button(someone, clouds, language: str) -> None:
    clouds.rasa.replies = [menu_reply(language)]
    await someone.say("menu")
    await someone.say(TYPED[language]["title"])
    assert clouds.rasa.received[-1]["message"] == payload(language, 2)
    await someone.say(TYPED[language]["other_title"])
    assert clouds.rasa.received[-1]["message"] == payload(language, 7)


async def test_after_a_reply_without_buttons_a_number_is_sent_as_typed(someone, clouds) -> None:
    clouds.rasa.replies = [menu_reply("fr")]
    await someone.say("menu")
    clouds.rasa.replies = [{"text": "Dans quelle ville êtes-vous ?"}]
    await someone.say("3")  # the third choice
    await someone.say("3")  # no buttons on the question: "3" is just "3"
    assert [m["message"] for m in clouds.rasa.received[-2:]] == [payload("fr", 3), "3"]


def choose_payload(language: str) -> str:
    return f'/choose_language{{"language": "{language}"}}'


@pytest.mark.parametrize("typed, language", [
    ("English", "en"), ("francais", "fr"), ("FRANÇAIS !", "fr"), ("العربيّة", "ar"), ("الدارجة", "ary"),
    ("wolof", "wo"), ("Lingala", "ln"), ("pulaar", "ff"), ("Baoule", "bci"),
])
async def test_a_language_name_typed_alone_chooses_it_with_no_buttons_on_offer(
        someone, clouds, typed: str, language: str) -> None:
    clouds.rasa.replies = [{"text": "Dans quelle ville êtes-vous ?"}]
    await someone.say("bonjour")
    await someone.say(typed)
    assert clouds.rasa.received[-1]["message"] == choose_payload(language)


@pytest.mark.parametrize("typed", ["english please", "je parle wolof", "Anglais", "2", "/choose_language", "😀"])
async def test_a_sentence_naming_a_language_or_another_text_goes_as_typed(someone, clouds, typed: str) -> None:
    clouds.rasa.replies = [{"text": "Dans quelle ville êtes-vous ?"}]
    await someone.say("bonjour")
    await someone.say(typed)
    assert clouds.rasa.received[-1]["message"] == typed


async def test_an_offered_button_wins_over_a_language_name(someone, clouds) -> None:
    clouds.rasa.replies = [{"text": "?", "buttons": [{"title": "Wolof", "payload": "/inform_other"}]}]
    await someone.say("bonjour")
    await someone.say("wolof")
    assert clouds.rasa.received[-1]["message"] == "/inform_other"


async def test_a_number_in_eastern_arabic_digits_reaches_the_bot_in_western_digits(someone, clouds) -> None:
    clouds.rasa.replies = [{"text": "كم عمرك؟"}]  # no buttons: the digits are the answer itself
    await someone.say("٣٤")
    await someone.say("٢")
    assert [m["message"] for m in clouds.rasa.received[-2:]] == ["34", "2"]


async def test_the_last_message_with_buttons_of_a_turn_is_the_one_answered(someone, clouds) -> None:
    clouds.rasa.replies = [menu_reply("fr"), {"text": "Urgence ?", "buttons": [
        {"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]}, {"text": "15, 112"}]
    await someone.say("menu")
    await someone.say("2")
    assert clouds.rasa.received[-1]["message"] == "/deny"


async def test_buttons_older_than_an_hour_are_forgotten(someone, clouds, factory) -> None:
    clouds.rasa.replies = [menu_reply("fr")]
    await someone.say("menu")
    with factory() as session:
        session.execute(update(OfferedChoice).values(offered_at=utcnow() - timedelta(minutes=61)))
        session.commit()
    await someone.say("2")
    assert clouds.rasa.received[-1]["message"] == "2"


async def test_after_an_operator_message_a_number_goes_to_the_operator_conversation(someone, clouds, factory) -> None:
    clouds.rasa.replies = [menu_reply("fr")]
    await someone.say("menu")
    with factory() as session:
        case = case_held_by_operator(session, someone.conversation_id, someone.conversation_id.split("-")[0])
        workflow.notify_person(session, case, workflow.CLOSED_NOTICE)
        case.status = "closed"
        session.commit()
    await someone.say("2")
    assert clouds.rasa.received[-1]["message"] == "2"
