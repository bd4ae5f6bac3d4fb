"""The whole assistant, as a person uses it from the web chat: real model, Rasa, actions, API."""

from __future__ import annotations

import io
import time

import httpx
from babel.messages.pofile import read_po, write_po

from api.nlg.render import render_response
from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack


def texts(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


def test_every_service_reports_ready(stack: Stack) -> None:
    body = httpx.get(f"{stack.api_url}/readyz", timeout=10).json()
    assert body["checks"] == {"database": True, "rasa": True, "action_server": True}


def test_bonjour_is_greeted_in_french_with_the_choice_of_languages(person: WebChatPerson) -> None:
    replies = person.say("bonjour")
    assert render_response("utter_greet_choose_language", "fr", {}).text in texts(replies)
    assert person.slots()["language"] == "fr"


def test_marhaba_is_greeted_in_arabic_with_the_choice_of_languages(person: WebChatPerson) -> None:
    replies = person.say("مرحبا")
    language = person.slots()["language"]
    assert language in ("ar", "ary")
    assert render_response("utter_greet_choose_language", language, {}).text in texts(replies)


def test_rights_question_is_answered_with_the_circulars_in_french(person: WebChatPerson) -> None:
    replies = person.say("je n'ai pas de papiers, est-ce que j'ai le droit de me soigner au centre de sante ?")
    answer = texts(replies)
    expected = {render_response(name, "fr", {}).text for name in
                ("utter_rights_undocumented", "utter_rights_free_care")}
    assert any(text in answer for text in expected), answer
    assert "2003" in answer or "2008" in answer
    assert person.slots()["language"] == "fr"


def test_a_button_payload_goes_through_the_gateway(person: WebChatPerson) -> None:
    person.say("bonjour")
    replies = person.say("/ask_help_menu")
    assert render_response("utter_help_menu", "fr", {}).text in texts(replies)
    assert any(r["buttons"] for r in replies)


def test_a_message_sent_while_rasa_is_down_is_answered_once_it_is_back(stack: Stack) -> None:
    person = WebChatPerson(stack)
    person.say("bonjour")
    stack.stop("rasa")
    try:
        replies = person.say("merci beaucoup")
        assert render_response("channel.delayed_reply", "fr", {}).text in texts(replies)
    finally:
        stack.start("rasa")
        stack.wait_ready()
    late_replies: list[dict] = []
    for _ in range(60):
        late_replies = person.updates()
        if late_replies:
            break
        time.sleep(1)
    assert render_response("utter_thank", "fr", {}).text in texts(late_replies)


def test_an_editors_change_to_a_french_text_reaches_the_next_reply_without_restart(
        stack: Stack, person: WebChatPerson) -> None:
    catalog = stack.locales_dir / "fr" / "LC_MESSAGES" / "messages.po"
    original = catalog.read_bytes()
    running = {name: process.pid for name, process in stack.processes.items()}
    edited = "Avec plaisir ! Prenez soin de vous. (texte revu par l'équipe)"
    assert edited not in texts(person.say("merci beaucoup"))
    try:
        with catalog.open("rb") as handle:
            po = read_po(handle, locale="fr")
        po["utter_thank"].string = edited
        buffer = io.BytesIO()
        write_po(buffer, po, width=0)
        catalog.write_bytes(buffer.getvalue())  # as Poedit would save it: only the .po, no compiling

        assert edited in texts(person.say("merci beaucoup"))
        assert {name: process.pid for name, process in stack.processes.items()} == running
        assert all(process.poll() is None for process in stack.processes.values())  # nothing restarted
    finally:
        catalog.write_bytes(original)
