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


def test_an_answer_asks_if_it_helped_and_the_tap_is_counted_anonymously(stack: Stack, person: WebChatPerson) -> None:
    from sqlalchemy import create_engine, text

    replies = person.say("est-ce que les soins sont gratuits pour les migrants ?")
    buttons = [button for reply in replies for button in reply["buttons"]]
    titles = [button["title"] for button in buttons]
    yes, no = render_response("helpful.yes", "fr", {}).text, render_response("helpful.no", "fr", {}).text
    assert titles[-2:] == [yes, no], titles
    engine = create_engine(stack.database_url)
    with engine.connect() as connection:
        before = connection.scalar(text("SELECT count(*) FROM helpful_vote WHERE language = 'fr' AND helpful"))
    thanks = person.say(buttons[-2]["payload"])  # the web chat sends a tapped button's payload
    assert texts(thanks) == render_response("channel.helpful_thanks", "fr", {}).text
    with engine.connect() as connection:
        after = connection.scalar(text("SELECT count(*) FROM helpful_vote WHERE language = 'fr' AND helpful"))
    assert after == before + 1
    again = person.say("et si je n'ai pas de papiers ?")  # answered, not asked again so soon
    assert again and not any(button["title"] in (yes, no) for reply in again for button in reply["buttons"])
    assert person.slots()["language"] == "fr"  # the tap left the conversation as it was
    engine.dispose()
