"""Through the web chat: after escalating, the person is told honestly whether someone on duty speaks their language.

English with nobody on duty who speaks it (kept; an operator answers in French, or calls back), then
Arabic once an Arabic-speaking operator of the town's association has logged into the console.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy.orm import Session, sessionmaker

from api.auth.accounts import create_operator
from api.cases.intake import queue_for_city
from api.cases.on_duty import languages_on_duty
from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack
from tests.e2e.test_dialogue import (
    ASK_A_PERSON,
    CHAT,
    TOWN_ANSWER,
    answer_escalation_form,
    bot_text,
    cases_of,
    escalation_answers,
    plain,
    texts,
)

PASSWORD = "a long test password 42"


@contextmanager
def operator_on_duty(stack: Stack, database: sessionmaker[Session], languages: list[str]) -> Iterator[httpx.Client]:
    """An operator of Oujda's association speaking `languages`, logged into the console for the block."""
    with database() as session:
        association_id = queue_for_city(session, "Oujda").association_id
        email = f"{languages[-1]}-{uuid.uuid4().hex[:8]}@example.org"
        create_operator(session, email, PASSWORD, association_id=association_id, languages=languages)
        session.commit()
    console = httpx.Client(base_url=stack.api_url, timeout=30)
    login = console.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    console.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    try:
        yield console
    finally:
        console.post("/api/v1/auth/logout").raise_for_status()
        console.close()


def escalate(person: WebChatPerson, language: str) -> list[str]:
    replies = person.say(ASK_A_PERSON[language])
    replies = answer_escalation_form(person, language, replies, escalation_answers(
        "/rights_free_care", utter_ask_escalation_city=TOWN_ANSWER[language], utter_ask_contact_mode=CHAT))
    return texts(replies)


def test_nobody_on_duty_speaks_english_so_the_person_is_told_in_english_an_operator_answers_in_french(
        stack: Stack, person: WebChatPerson, database: sessionmaker[Session]) -> None:
    with database() as session:
        assert "en" not in languages_on_duty(session)
    said = escalate(person, "en")
    [case] = cases_of(stack, person.conversation_id or "")
    created = bot_text("utter_referral_created", "en", reference=case["reference"])
    honest = bot_text("utter_referral_language_not_spoken", "en")
    assert created in said and honest in said and said.index(honest) == said.index(created) + 1
    assert bot_text("utter_referral_language_spoken", "en") not in said


def test_with_an_arabic_speaker_on_duty_the_person_is_told_in_arabic_their_request_goes_to_them_first(
        stack: Stack, person: WebChatPerson, database: sessionmaker[Session]) -> None:
    with operator_on_duty(stack, database, ["fr", "ar"]) as console:
        said = escalate(person, "ar")
        [case] = cases_of(stack, person.conversation_id or "")
        assert bot_text("utter_referral_created", "ar", reference=case["reference"]) in said
        assert bot_text("utter_referral_language_spoken", "ar") in said
        assert bot_text("utter_referral_language_not_spoken", "ar") not in said
        queue = {row["reference"]: row for row in console.get("/api/v1/cases").json()}
        assert queue[case["reference"]]["language_spoken_on_duty"] is True


def own_line(key: str, language: str) -> str:
    """A line of the person's own catalog, reviewed or not (how the note and its hint are served)."""
    from api.core.config import get_settings
    from api.nlg.catalogs import catalog_store

    entry = catalog_store(get_settings().locales_dir).snapshot().entry(key, language)
    assert entry is not None, key
    return entry.text


def test_a_wolof_answer_in_french_offers_the_wolof_speaker_on_duty_in_one_wolof_line(
        stack: Stack, person: WebChatPerson, database: sessionmaker[Session]) -> None:
    from api.nlg.render import SPEAKER_BUTTON, SPEAKER_HINT

    note = own_line("utter_fallback_language_note", "wo")
    [changed] = person.say('/choose_language{"language": "wo"}')
    # In Wolof, not "je vous réponds en français": the draft, served as the note is, says some answers are in French.
    assert plain(changed["text"]) == own_line("utter_language_changed", "wo")
    with operator_on_duty(stack, database, ["fr", "wo"]):
        replies = person.say("dama feebar")
        first_lines = [plain(r["text"]).split("\n")[0] for r in replies]
        assert f"{note} {own_line(SPEAKER_HINT, 'wo')}" in first_lines, first_lines
        buttons = [b for r in replies for b in r.get("buttons") or []]
        assert {"title": own_line(SPEAKER_BUTTON, "wo"), "payload": "/request_human"} in buttons, buttons
