"""Erasure that erases, on every channel, through the real stack: nothing of the person is left anywhere.

For each channel a person talks with the bot, shares a location (where the channel has one), asks
for a person, consents, gives a callback number by typing it, then erases their data (on Telegram
while an operator holds the case; on the phone line with the keypad). Then every table and file of
the app database (WAL included), the tracker store (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set: a second stack whose Rasa keeps its trackers there) and every log is
searched for the number, the chat id, each distinctive text and the precise position: nothing is
found, and the case is one count in the anonymous statistics.
"""

from __future__ import annotations

import os
import random
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from api.cases.models import Case
from api.crypto import decrypt
from api.db import make_engine
from api.gateways.conversation import conversation_id_for
from api.privacy.models import CaseStatistic, PersonErasure
from tests.e2e.stack import TWILIO_SID, TWILIO_TOKEN, Stack
from tests.e2e.test_channels import FIRST_GREETING, Operator, TelegramPerson, WhatsAppPerson, text_of, wait_for
from tests.fakes.telegram import FakeTelegram, running_fake_telegram
from tests.fakes.twilio import FakeTwilio, running_fake_twilio

TRACKERS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
LATITUDE, LONGITUDE = 34.681449, -1.908612  # shared at full precision; only 34.68, -1.91 may be kept
PLACES_LISTED = text_of("directory.unverified")  # under each place of a listing: none is verified here
# Consent, four triage "no", the topic; the town is known from the shared location (Oujda); a callback.
FORM = ["/request_human", "/affirm", "/deny", "/deny", "/deny", "/deny", "/rights_undocumented",
        '/choose_contact_mode{"contact_mode": "callback"}']


def unique_word() -> str:
    """A random word of letters only: digits could be read as a phone or document number and redacted."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


class PostgresTrackerStack(Stack):
    """The same stack, with Rasa's tracker store in PostgreSQL (the API erases through the same URL)."""

    def env(self) -> dict[str, str]:
        # bot/endpoints.yml reads its tracker store from these (as the production profile sets them).
        return {**super().env(), "RASA_TRACKER_DIALECT": "postgresql",
                "RASA_TRACKER_URL": os.environ["TEST_DATABASE_URL"]}


@dataclass
class World:
    """One running stack, its fakes and its databases."""

    stack: Stack
    twilio: FakeTwilio
    telegram: FakeTelegram
    database: sessionmaker[Session]
    tracker: str  # "sqlite" or "postgresql"
    secrets: list[str] = field(default_factory=list)


@pytest.fixture(scope="module", params=TRACKERS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if request.param == "sqlite":
        stack: Stack = request.getfixturevalue("stack")
        own = False
    else:
        # Same keys as the session's stack, which the test process computes conversation ids with.
        keys = request.getfixturevalue("stack").secrets
        stack, own = PostgresTrackerStack(workdir=tmp_path_factory.mktemp("pg-tracker-stack"), secrets=dict(keys)), True
        stack.start_all()
    engine = make_engine(stack.database_url)
    try:
        with running_fake_twilio(TWILIO_SID, TWILIO_TOKEN, stack.fake_twilio_port) as twilio, \
                running_fake_telegram(stack.channel_env()["TELEGRAM_BOT_TOKEN"], stack.fake_telegram_port) as telegram:
            stack.start("telegram")
            try:
                wait_for(lambda: "getUpdates" in [name for name, _ in telegram.calls], "the bridge to poll", 120)
                yield World(stack, twilio, telegram, sessionmaker(engine, expire_on_commit=False), request.param)
            finally:
                stack.stop("telegram")
    finally:
        engine.dispose()
        if own:
            stack.stop_all()


def random_mobile() -> tuple[str, str]:
    """A Moroccan mobile number as a person types it, and its E.164 form."""
    digits = f"6{random.randint(10**7, 10**8 - 1)}"
    typed = f"0{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:9]}"
    return typed, f"+212{digits}"


def number_forms(e164: str) -> list[str]:
    national = "0" + e164[4:]
    return [e164, e164[1:], national, national[1:]]


# --- the searches ------------------------------------------------------------------------------------

def app_database_text(world: World) -> str:
    """Every value of every table, and the raw bytes of the database file, its WAL and shared memory."""
    with world.database() as session:
        parts = [str(value) for table in inspect(session.get_bind()).get_table_names()
                 for row in session.execute(text(f'SELECT * FROM "{table}"')) for value in row]
    path = Path(world.stack.database_url.removeprefix("sqlite:///"))
    for file in path.parent.glob(path.name + "*"):
        parts.append(file.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def tracker_text(world: World) -> str:
    if world.tracker == "postgresql":
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT sender_id, data FROM events")).all()
        finally:
            engine.dispose()
        return "\n".join(f"{sender} {data}" for sender, data in rows)
    path = world.stack.workdir / "tracker.db"
    return "\n".join(file.read_bytes().decode("utf-8", errors="replace") for file in path.parent.glob("tracker.db*"))


def logs_text(world: World) -> str:
    return "\n".join(path.read_text(errors="replace") for path in world.stack.workdir.glob("*.log"))


def assert_nothing_left(world: World, conversation_id: str, secrets: list[str], stats_before: int) -> None:
    def erasure_finished() -> bool:
        with world.database() as session:
            return session.get(PersonErasure, conversation_id) is None
    wait_for(erasure_finished, "the erasure to finish (tracker, identity)", 60)
    places = {"app database": app_database_text(world), "tracker store": tracker_text(world),
              "logs": logs_text(world)}
    for where, content in places.items():
        for secret in [*secrets, conversation_id]:
            if where == "logs" and secret == conversation_id:
                continue  # pseudonymous ids may be logged; they lead nowhere once the identity is gone
            assert secret not in content, f"{secret!r} is still in the {where}"
    with world.database() as session:
        assert session.scalars(select(Case).where(Case.conversation_id == conversation_id)).all() == []
        assert (session.scalar(select(func.sum(CaseStatistic.cases))) or 0) == stats_before + 1


def statistics_count(world: World) -> int:
    with world.database() as session:
        return session.scalar(select(func.sum(CaseStatistic.cases))) or 0


def the_case(world: World, conversation_id: str) -> Case:
    def find() -> Case | None:
        with world.database() as session:
            return session.scalar(select(Case).where(Case.conversation_id == conversation_id))
    return wait_for(find, "the escalation's case")


def assert_number_only_with_the_case(world: World, conversation_id: str, e164: str) -> None:
    """Before erasure: the case holds the number encrypted, the tracker never saw it."""
    case = the_case(world, conversation_id)
    assert case.contact == "callback" and decrypt(case.callback_number_encrypted or "") == e164
    seen_by_rasa = tracker_text(world)
    assert conversation_id in seen_by_rasa  # the conversation is there...
    assert not any(form in seen_by_rasa for form in number_forms(e164))  # ...without the number
    assert str(LATITUDE) not in seen_by_rasa and "34.68" in seen_by_rasa


# --- the channels ------------------------------------------------------------------------------------

def test_after_erasure_nothing_of_the_person_is_left_anywhere(world: World) -> None:
    """The web chat: location, question, escalation with a typed number, then /forget with its confirmation."""
    stats = statistics_count(world)
    token, (typed, e164) = uuid.uuid4().hex, random_mobile()
    question = f"je n'ai pas de papiers {unique_word()}, est-ce que je peux aller à l'hôpital ?"

    def say(message: str, **extra: Any) -> list[dict]:
        response = httpx.post(f"{world.stack.api_url}/chat/api/messages",
                              json={"token": token, "text": message, **extra}, timeout=60)
        response.raise_for_status()
        return response.json()["replies"]

    say("bonjour")
    say("\N{ROUND PUSHPIN}", latitude=LATITUDE, longitude=LONGITUDE)
    say(question)
    for payload in FORM:
        say(payload)
    done = say(f"mon numéro est le {typed}")
    conversation_id = conversation_id_for("web", token)
    assert any(text_of("utter_referral_created", "fr", reference=the_case(world, conversation_id).reference)
               == r["text"] for r in done)
    assert_number_only_with_the_case(world, conversation_id, e164)
    say("/forget_me")
    assert text_of("utter_forget_done") in [r["text"] for r in say("/affirm")]
    assert_nothing_left(world, conversation_id, [*number_forms(e164), typed, token, question, str(LATITUDE),
                                                 str(LONGITUDE)[1:]], stats)


def test_telegram_erasure_while_an_operator_holds_the_case(world: World) -> None:
    stats = statistics_count(world)
    person, (typed, e164) = TelegramPerson(world.telegram), random_mobile()
    question = f"on m'a refusé au centre de santé de Berkane {unique_word()}"
    person.say("bonjour")
    person.wait_for_text(FIRST_GREETING)
    world.telegram.queue_update({"message": {
        "message_id": random.randint(1, 10**6), "date": int(time.time()), "from": person.user,
        "chat": {"id": person.chat_id, "type": "private"},
        "location": {"latitude": LATITUDE, "longitude": LONGITUDE}}})
    person.wait_for_text(PLACES_LISTED)
    person.say(question)
    wait_for(lambda: len(person.received()) > person.seen, "an answer to the question")
    person.seen = len(person.received())
    for payload in FORM:
        person.press(payload)
    person.wait_for_text(text_of("utter_ask_callback_number"))
    person.say(typed)
    case = the_case(world, person.conversation_id)
    person.wait_for_text(case.reference)
    assert_number_only_with_the_case(world, person.conversation_id, e164)

    operator = Operator(world.stack, world.database, case.id)
    operator.act("claim")
    assert operator.client.post(f"/api/v1/cases/{case.id}/callback-number").json() == {"callback_number": e164}
    person.wait_for_text(text_of("case.operator_connected"))
    person.say("/forget")  # while held: the command reaches the bot, which asks for confirmation
    person.wait_for_text(text_of("utter_ask_forget_confirm").splitlines()[0])
    person.press("/affirm")
    person.wait_for_text(text_of("utter_forget_done").splitlines()[0])
    # The operator is told: the case is gone from their association's queue and their page.
    assert operator.client.get(f"/api/v1/cases/{case.id}").status_code == 404
    assert_nothing_left(world, person.conversation_id, [*number_forms(e164), typed, str(person.chat_id), question,
                                                        str(LATITUDE)], stats)


def test_whatsapp_erasure_deletes_the_media_at_twilio(world: World) -> None:
    stats = statistics_count(world)
    person, (typed, e164) = WhatsAppPerson(world.stack, world.twilio), random_mobile()
    question = f"je n'ai pas de carte de séjour {unique_word()}, je peux me soigner ?"
    person.answer("bonjour")
    assert person.post("", Latitude=str(LATITUDE), Longitude=str(LONGITUDE)).status_code == 200
    person.wait_for_text(PLACES_LISTED)
    person.answer(question)
    for payload in FORM:
        person.answer(payload)
    person.answer(f"appelez moi au {typed}")
    case = the_case(world, person.conversation_id)
    assert_number_only_with_the_case(world, person.conversation_id, e164)
    media = (f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM{uuid.uuid4().hex}"
             f"/Media/ME{uuid.uuid4().hex}")
    person.post("", NumMedia="1", MediaUrl0=media, MediaContentType0="audio/ogg")
    person.wait_for_text(text_of("channel.media_acknowledged"))
    assert case.reference
    person.answer("/forget_me")
    person.say("/affirm")
    person.wait_for_text(text_of("utter_forget_done").splitlines()[0])
    wait_for(lambda: media.split("api.twilio.com")[1] in world.twilio.deleted, "the media deleted at Twilio")
    assert_nothing_left(world, person.conversation_id, [*number_forms(e164), typed, question, str(LATITUDE),
                                                        media.rsplit("/", 1)[1]], stats)


def test_a_caller_erases_everything_with_the_keypad(world: World) -> None:
    stats = statistics_count(world)
    _typed, caller = random_mobile()
    recording = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/RE{uuid.uuid4().hex}"

    def call() -> Callable[..., ET.Element]:
        fields = {"CallSid": "CA" + uuid.uuid4().hex, "From": caller, "To": "+212500000000", "AccountSid": TWILIO_SID}

        def step(path: str, **extra: str) -> ET.Element:
            url, params = f"{world.stack.api_url}{path}", {**fields, **extra}
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
            response = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
            assert response.status_code == 200, response.text
            return ET.fromstring(response.text)
        return step

    def action(twiml: ET.Element, verb: str) -> str:
        return twiml.find(f".//{verb}").get("action").removeprefix(world.stack.api_url)

    step = call()
    twiml = step(step("/webhooks/voice").find(".//Gather").get("action").removeprefix(world.stack.api_url),
                 Digits="1")
    for answer in ("2", "2", "2", "1"):  # violence
        twiml = step(action(twiml, "Gather"), Digits=answer)
    step(action(twiml, "Record"), RecordingUrl=recording)
    conversation_id = conversation_id_for("voice", caller)
    case = the_case(world, conversation_id)
    assert decrypt(case.callback_number_encrypted or "") == caller

    again = call()  # another call: 0 in the language menu, then 1 to confirm
    twiml = again(action(again("/webhooks/voice"), "Gather"), Digits="0")
    done = again(action(twiml, "Gather"), Digits="1")
    assert text_of("voice.forget_done") in [say.text for say in done.iter("Say")]
    wait_for(lambda: recording.split("api.twilio.com")[1] in world.twilio.deleted, "the recording deleted at Twilio")
    assert_nothing_left(world, conversation_id, [*number_forms(caller), recording.rsplit("/", 1)[1]], stats)


def test_the_test_searches_where_the_data_really_is(world: World) -> None:
    """The searches are not blind: before any erasure, a fresh conversation's text is found where it lives."""
    token, marker = uuid.uuid4().hex, f"marqueur {unique_word()}"
    httpx.post(f"{world.stack.api_url}/chat/api/messages", json={"token": token, "text": marker},
               timeout=60).raise_for_status()
    assert marker in tracker_text(world)
