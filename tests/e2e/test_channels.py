"""Telegram, WhatsApp and the phone hotline from the outside, through the real stack (model, Rasa, actions, API).

Telegram's Bot API and Twilio's REST API are local fakes (tests/fakes); the Telegram bridge runs as
its own process in long-polling mode, WhatsApp and voice webhooks are signed with Twilio's library.
"""

from __future__ import annotations

import random
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from api.auth.accounts import create_operator
from api.cases.models import Case, CaseMessage
from api.db import make_engine
from api.gateways.conversation import conversation_id_for
from api.nlg.render import render_response
from api.outbox.models import ChannelIdentity, InboundMessage, OutboundMessage
from tests.e2e.stack import TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN, WHATSAPP_FROM, Stack
from tests.fakes.telegram import FakeTelegram, running_fake_telegram
from tests.fakes.twilio import FakeTwilio, running_fake_twilio
from tests.support.polling import wait_for as poll_until

pytestmark = pytest.mark.slow  # starts the whole stack

REPLY_TIMEOUT = 90
PASSWORD = "e2e operator password"
# The escalation form, answered with the buttons' payloads: consent, four triage "no", topic, town, chat.
ESCALATION = ["/request_human", "/affirm", "/deny", "/deny", "/deny", "/deny", "/rights_free_care",
              '/inform_location{"city": "Oujda"}', '/choose_contact_mode{"contact_mode": "chat"}']


def text_of(key: str, language: str = "fr", **variables: Any) -> str:
    return render_response(key, language, variables).text


# The answer to a first "bonjour": the greeting with the choice of every language.
FIRST_GREETING = text_of("utter_greet_choose_language")


def wait_for(found: Callable[[], Any], what: str, timeout: float = REPLY_TIMEOUT) -> Any:
    """Poll until `found()` returns something truthy."""
    return poll_until(found, what, timeout)


# --- the fakes and the bridge ------------------------------------------------------------------

@pytest.fixture(scope="module")
def twilio_cloud(stack: Stack) -> Iterator[FakeTwilio]:
    with running_fake_twilio(TWILIO_SID, TWILIO_TOKEN, stack.fake_twilio_port) as fake:
        yield fake


@pytest.fixture(scope="module")
def telegram_cloud(stack: Stack) -> Iterator[FakeTelegram]:
    with running_fake_telegram(TELEGRAM_TOKEN, stack.fake_telegram_port) as fake:
        stack.start("telegram")
        try:
            wait_for(lambda: "getUpdates" in [name for name, _ in fake.calls], "the bridge to poll", 120)
            yield fake
        finally:
            stack.stop("telegram")


@lru_cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def waiting_messages(session: Session, conversation_id: str) -> int:
    """This conversation's messages not yet answered (inbound) or not yet sent (outbound)."""
    inbound = session.scalar(select(func.count()).select_from(InboundMessage)
                             .where(InboundMessage.conversation_id == conversation_id)) or 0
    outbound = session.scalar(select(func.count()).select_from(OutboundMessage)
                              .where(OutboundMessage.conversation_id == conversation_id,
                                     OutboundMessage.status != "sent")) or 0
    return inbound + outbound


# --- people on each channel ----------------------------------------------------------------------

class TelegramPerson:
    """Someone in a private chat with the bot."""

    def __init__(self, cloud: FakeTelegram) -> None:
        self.cloud = cloud
        self.chat_id = random.randint(10**8, 10**9)
        self.user = {"id": self.chat_id, "is_bot": False, "first_name": "Test"}
        self.seen = 0

    @property
    def conversation_id(self) -> str:
        return conversation_id_for("tg", str(self.chat_id))

    def received(self) -> list[dict[str, Any]]:
        return [m for m in self.cloud.sent() if int(m["chat_id"]) == self.chat_id]

    def say(self, text: str) -> None:
        message: dict[str, Any] = {"message_id": random.randint(1, 10**6), "date": int(time.time()),
                                   "from": self.user, "chat": {"id": self.chat_id, "type": "private"}, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        self.cloud.queue_update({"message": message})

    def press(self, data: str) -> None:
        self.cloud.queue_update({"callback_query": {
            "id": uuid.uuid4().hex, "from": self.user, "chat_instance": "e2e", "data": data,
            "message": {"message_id": 1, "date": int(time.time()), "text": "…",
                        "chat": {"id": self.chat_id, "type": "private"}}}})

    def wait_for_text(self, expected: str) -> list[dict[str, Any]]:
        """The messages received since the last wait, once one of them contains `expected`."""
        def new_messages() -> list[dict[str, Any]] | None:
            fresh = self.received()[self.seen:]
            return fresh if any(expected in (m.get("text") or "") for m in fresh) else None
        fresh = wait_for(new_messages, f"Telegram message containing {expected[:40]!r}")
        self.seen += len(fresh)
        return fresh


class WhatsAppPerson:
    """Someone writing to the Twilio WhatsApp number; requests are signed the way Twilio signs them."""

    def __init__(self, stack: Stack, cloud: FakeTwilio) -> None:
        self.stack = stack
        self.cloud = cloud
        self.phone = f"+2126{random.randint(10**7, 10**8 - 1)}"
        self.seen = 0

    @property
    def conversation_id(self) -> str:
        return conversation_id_for("wa", self.phone)

    def post(self, body: str, signature: str | None = None, **fields: str) -> httpx.Response:
        params = {"From": f"whatsapp:{self.phone}", "To": WHATSAPP_FROM, "Body": body, "NumMedia": "0",
                  "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, **fields}
        url = f"{self.stack.api_url}/webhooks/whatsapp"
        if signature is None:
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        return httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)

    def say(self, body: str) -> None:
        assert self.post(body).status_code == 200

    def received(self) -> list[str]:
        return [m["Body"] for m in self.cloud.messages if m["To"] == f"whatsapp:{self.phone}"]

    def answer(self, body: str) -> list[str]:
        """Send, then wait for the answer before the next message (WhatsApp webhooks are answered in the background)."""
        self.say(body)
        wait_for(lambda: self.received()[self.seen:], f"an answer to {body!r}")
        # A turn's replies are queued in one transaction with the end of its inbound message: once none
        # of this conversation's messages waits in either outbox, every reply of the turn has gone out.
        wait_for(self.turn_delivered, f"the rest of the answer to {body!r}")
        fresh = self.received()[self.seen:]
        self.seen += len(fresh)
        return fresh

    def turn_delivered(self) -> bool:
        with Session(_engine(self.stack.database_url)) as session:
            return waiting_messages(session, self.conversation_id) == 0

    def wait_for_text(self, expected: str) -> list[str]:
        def new_bodies() -> list[str] | None:
            fresh = self.received()[self.seen:]
            return fresh if any(expected in body for body in fresh) else None
        fresh = wait_for(new_bodies, f"WhatsApp message containing {expected[:40]!r}")
        self.seen += len(fresh)
        return fresh


class Operator:
    """An operator of the case's association, working through the API with a console login."""

    def __init__(self, stack: Stack, database: sessionmaker[Session], case_id: int) -> None:
        self.case_id = case_id
        with database() as session:
            case = session.get(Case, case_id)
            email = f"op-{uuid.uuid4().hex[:8]}@example.org"
            create_operator(session, email, PASSWORD, association_id=case.queue.association_id)
            session.commit()
        self.client = httpx.Client(base_url=stack.api_url, timeout=30)
        login = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        self.client.headers["X-CSRF-Token"] = login.json()["csrf_token"]

    def act(self, action: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/cases/{self.case_id}/{action}", json=body or None)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def messages(self) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/cases/{self.case_id}/messages")
        response.raise_for_status()
        return response.json()


def case_of(database: sessionmaker[Session], conversation_id: str) -> Case:
    def find() -> Case | None:
        with database() as session:
            return session.scalar(select(Case).where(Case.conversation_id == conversation_id))
    return wait_for(find, "the escalation's case")


# --- Telegram --------------------------------------------------------------------------------------

def test_a_telegram_message_gets_the_bots_answer_with_inline_buttons(telegram_cloud: FakeTelegram) -> None:
    person = TelegramPerson(telegram_cloud)
    person.say("bonjour")
    # "bonjour" does not tell the language (Wolof or Lingala speakers say it too): the greeting offers them all.
    [greeting] = [m for m in person.wait_for_text(FIRST_GREETING) if FIRST_GREETING in m["text"]]
    keyboard = greeting["reply_markup"]["inline_keyboard"]
    assert '/choose_language{"language": "ary"}' in [row[0]["callback_data"] for row in keyboard]


def test_a_pressed_telegram_button_sends_its_payload_to_the_bot(telegram_cloud: FakeTelegram) -> None:
    person = TelegramPerson(telegram_cloud)
    person.press("/ask_help_menu")
    person.wait_for_text(text_of("utter_help_menu"))
    assert any(m["callback_query_id"] for m in telegram_cloud.sent("answerCallbackQuery"))


def test_telegram_start_with_a_language_greets_in_that_language(telegram_cloud: FakeTelegram) -> None:
    person = TelegramPerson(telegram_cloud)
    person.say("/start en")
    person.wait_for_text(text_of("utter_greet", "en"))


def test_a_telegram_escalation_becomes_a_case_and_the_operator_reply_reaches_the_chat(
        stack: Stack, telegram_cloud: FakeTelegram, database: sessionmaker[Session]) -> None:
    person = TelegramPerson(telegram_cloud)
    person.say("bonjour")
    person.wait_for_text(FIRST_GREETING)
    for payload in ESCALATION:
        person.press(payload)
    case = case_of(database, person.conversation_id)
    assert case.channel == "tg"
    operator = Operator(stack, database, case.id)
    operator.act("claim")
    operator.act("reply", text="Bonjour, je suis opératrice de l'association.")
    person.wait_for_text("Bonjour, je suis opératrice de l'association.")


# --- WhatsApp --------------------------------------------------------------------------------------

def test_a_signed_whatsapp_message_is_answered_through_twilio(stack: Stack, twilio_cloud: FakeTwilio) -> None:
    person = WhatsAppPerson(stack, twilio_cloud)
    person.say("bonjour")
    [greeting] = [b for b in person.wait_for_text(FIRST_GREETING) if FIRST_GREETING in b]
    assert "\n1. " in greeting, "the buttons are offered as numbered choices"


def test_forged_channel_webhooks_are_refused(stack: Stack, twilio_cloud: FakeTwilio,
                                             database: sessionmaker[Session]) -> None:
    person = WhatsAppPerson(stack, twilio_cloud)
    assert person.post("bonjour", signature="forged").status_code == 403
    assert person.post("bonjour", signature="").status_code == 403
    voice = httpx.post(f"{stack.api_url}/webhooks/voice", data={"CallSid": "CA1", "From": person.phone},
                       headers={"X-Twilio-Signature": "forged"}, timeout=30)
    telegram = httpx.post(f"{stack.api_url}/webhooks/telegram", json={"update_id": 1},
                          headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}, timeout=30)
    assert (voice.status_code, telegram.status_code) == (403, 403)
    # An accepted message is stored before its webhook is answered, so a refused one left nothing to answer.
    with database() as session:
        assert session.get(ChannelIdentity, person.conversation_id) is None
        assert waiting_messages(session, person.conversation_id) == 0
    assert person.received() == []


def test_whatsapp_handoff_escalation_operator_conversation_and_closing(
        stack: Stack, twilio_cloud: FakeTwilio, database: sessionmaker[Session]) -> None:
    person = WhatsAppPerson(stack, twilio_cloud)
    person.say("bonjour")
    person.wait_for_text(FIRST_GREETING)
    for payload in ESCALATION:
        person.answer(payload)
    case = case_of(database, person.conversation_id)
    assert (case.channel, case.status) == ("wa", "queued")

    operator = Operator(stack, database, case.id)
    operator.act("claim")
    person.wait_for_text(text_of("case.operator_connected"))
    operator.act("reply", text="Bonjour, ici l'opérateur. Où êtes-vous suivi ?")
    person.wait_for_text("Bonjour, ici l'opérateur. Où êtes-vous suivi ?")

    person.say("Au centre de santé de Oujda")
    wait_for(lambda: any(m["text"] == "Au centre de santé de Oujda" for m in operator.messages()),
             "the person's message on the case")

    operator.act("close", outcome="informed")
    person.wait_for_text(text_of("case.closed_notice", "fr", reference=case.reference))
    person.say("merci")
    person.wait_for_text(text_of("utter_thank"))


# --- typed choices on Telegram and WhatsApp ---------------------------------------------------------

# First message, the language typed by number or by name, the menu's title typed, then its 3rd choice by number.
TYPED_CHOICES = {
    "fr": ("salut", "1", "MENU", "3"),
    "ar": ("مرحبا", "العربية", "القائمة", "٣"),
    "ary": ("salam", "٤", "القائمه", "3"),
}


def choices_conversation(person: Any, language: str) -> None:
    first, chosen, menu, third = TYPED_CHOICES[language]
    person.say(first)
    person.wait_for_text("Choose your language")  # a line of the choice in every catalog
    person.say(chosen)
    person.wait_for_text(text_of("utter_language_changed", language))
    person.say(menu)
    person.wait_for_text(text_of("utter_help_menu", language))
    person.say(third)  # find a service: where are you?
    person.wait_for_text(text_of("utter_ask_city", language))


@pytest.mark.parametrize("language", sorted(TYPED_CHOICES))
def test_telegram_typed_numbers_and_titles_select_the_buttons(telegram_cloud: FakeTelegram, language: str) -> None:
    choices_conversation(TelegramPerson(telegram_cloud), language)


@pytest.mark.parametrize("language", sorted(TYPED_CHOICES))
def test_whatsapp_typed_numbers_and_titles_select_the_numbered_choices(
        stack: Stack, twilio_cloud: FakeTwilio, language: str) -> None:
    choices_conversation(WhatsAppPerson(stack, twilio_cloud), language)


# --- the phone hotline -----------------------------------------------------------------------------

def test_a_call_answered_by_keypad_becomes_a_case_with_a_voice_message(
        stack: Stack, database: sessionmaker[Session]) -> None:
    call = {"CallSid": "CA" + uuid.uuid4().hex, "From": f"+2125{random.randint(10**7, 10**8 - 1)}",
            "To": "+212500000000", "AccountSid": TWILIO_SID}

    def step(path: str, **fields: str) -> ET.Element:
        url = f"{stack.api_url}{path}"
        params = {**call, **fields}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        response = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def next_action(twiml: ET.Element, verb: str) -> str:
        return twiml.find(f".//{verb}").get("action").removeprefix(stack.api_url)

    twiml = step("/webhooks/voice")
    twiml = step(next_action(twiml, "Gather"), Digits="3")  # English
    for _ in range(4):  # no emergency, not pregnant, no child, no violence
        twiml = step(next_action(twiml, "Gather"), Digits="2")
    # The e2e stack sets no opening hours: the caller is offered to leave a message.
    assert text_of("voice.leave_message", "en") in [say.text for say in twiml.iter("Say")]
    twiml = step(next_action(twiml, "Record"), RecordingUrl="https://api.twilio.com/recordings/RE1")
    assert twiml.find("Hangup") is not None
    with database() as session:
        case = session.scalar(select(Case).where(Case.conversation_id == conversation_id_for("voice", call["From"])))
        assert (case.channel, case.language, case.contact) == ("voice", "en", "callback")
        media = session.scalars(select(CaseMessage.media_url).where(CaseMessage.case_id == case.id)).all()
    assert media == ["https://api.twilio.com/recordings/RE1"]


# --- privacy ---------------------------------------------------------------------------------------

def test_no_phone_number_or_chat_id_reaches_any_process_log(stack: Stack, twilio_cloud: FakeTwilio,
                                                            telegram_cloud: FakeTelegram) -> None:
    on_whatsapp, on_telegram = WhatsAppPerson(stack, twilio_cloud), TelegramPerson(telegram_cloud)
    on_whatsapp.say("bonjour")
    on_telegram.say("bonjour")
    on_whatsapp.wait_for_text(FIRST_GREETING)
    on_telegram.wait_for_text(FIRST_GREETING)
    logs = "\n".join(path.read_text(errors="replace") for path in stack.workdir.glob("*.log"))
    assert "message_to_bot" in logs
    for raw_id in (on_whatsapp.phone, on_whatsapp.phone.lstrip("+"), str(on_telegram.chat_id), TELEGRAM_TOKEN):
        assert raw_id not in logs
