"""Responses Rasa leaves to render (botserver/deferred_render.py) reach the person rendered, through the web chat."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.gateways import responses
from api.nlg.catalogs import CatalogStore
from api.nlg.render import render_response
from tests.support.fake_rasa import FakeRasa

TOKEN = "r" * 32


@pytest.fixture
def client(webchat_client: TestClient) -> TestClient:
    return webchat_client


def to_render(response: str, language: str, arguments: dict[str, Any] | None = None, *,
              slots: dict[str, Any] | None = None, form: str | None = None) -> dict[str, Any]:
    """One item of Rasa's REST output as the deferred generator makes it."""
    state = {"slots": {"language": language, **(slots or {})}, "latest_message": {"language": None},
             "active_loop": {"name": form}}
    return {"custom": {"render": {"response": response, "arguments": arguments or {}, "tracker": state,
                                  "channel": {"name": "collector"}}}}


def say(client: TestClient, text: str = "bonjour") -> list[dict[str, Any]]:
    response = client.post("/chat/api/messages", json={"token": TOKEN, "text": text})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_a_response_left_to_render_reaches_the_person_in_their_language(client: TestClient,
                                                                       rasa: FakeRasa) -> None:
    rasa.replies = [to_render("utter_rights_free_care", "ar")]
    [reply] = say(client, "هل العلاج مجاني؟")
    expected = render_response("utter_rights_free_care", "ar")
    assert reply["text"] == expected.text and "\u0645" in reply["text"]
    titles = [b["title"] for b in reply["buttons"]]
    # The catalog's own buttons, then "Was this helpful?" (this answer asks it).
    assert titles[:len(expected.buttons)] == [b.title for b in expected.buttons]
    assert titles[len(expected.buttons):] == [render_response("helpful.yes", "ar").text,
                                              render_response("helpful.no", "ar").text]


def test_placeholders_come_from_the_arguments_and_the_town_in_the_persons_script(client: TestClient,
                                                                                rasa: FakeRasa) -> None:
    rasa.replies = [to_render("utter_referral_created", "ar", {"reference": "MS-4K7Q2A"}, slots={"city": "Oujda"}),
                    to_render("utter_services_none", "ar", {"city": "Oujda"})]
    created, none_nearby = say(client)
    assert "MS-4K7Q2A" in created["text"]
    assert "وجدة" in none_nearby["text"] and "Oujda" not in none_nearby["text"]


def test_rendered_and_plain_replies_keep_their_order(client: TestClient, rasa: FakeRasa) -> None:
    rasa.replies = [{"text": "a text Rasa sent as it is"}, to_render("utter_goodbye", "en")]
    plain, rendered = say(client)
    assert plain["text"] == "a text Rasa sent as it is"
    assert rendered["text"] == render_response("utter_goodbye", "en").text


def test_an_unknown_response_is_left_out_logged_and_the_person_still_answered(
        client: TestClient, rasa: FakeRasa, caplog: pytest.LogCaptureFixture) -> None:
    rasa.replies = [to_render("utter_no_such_message", "fr")]
    with caplog.at_level(logging.ERROR, logger="api.gateways.responses"):
        [reply] = say(client)
    assert "nlg_unknown_response" in caplog.text
    # The turn came back empty: the safety net answers with the emergency numbers and the way to a person.
    assert reply["text"].startswith(render_response("channel.bot_failed", "fr").text)


def test_a_person_who_speaks_the_language_is_offered_outside_a_form_only(
        client: TestClient, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def speaker_on_duty(_session: object, language: str) -> bool:
        asked.append(language)
        return True

    monkeypatch.setattr(responses, "speaker_on_duty", speaker_on_duty)
    # utter_ask_city has no button of its own and no Wolof text: served in French, with the offer.
    rasa.replies = [to_render("utter_ask_city", "wo")]
    [reply] = say(client)
    assert asked == ["wo"] and [b["payload"] for b in reply["buttons"]] == ["/request_human"]
    rasa.replies = [to_render("utter_ask_city", "wo", form="escalation_form")]
    [reply] = say(client, "Oujda")
    assert asked == ["wo"] and reply["buttons"] == []


def test_a_malformed_render_request_is_shown_as_rasa_sent_it() -> None:
    assert responses.render_request_in({"custom": {"render": {"arguments": "not a mapping"}}}) is None
    assert responses.render_request_in({"custom": {"other": {}}}) is None
    assert responses.render_request_in({"text": "hello"}) is None


def test_a_message_checks_the_catalog_files_once_for_all_its_texts(client: TestClient, rasa: FakeRasa,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[int] = []
    check_files = CatalogStore._current_signature

    def counted(self: CatalogStore) -> tuple:
        checks.append(1)
        return check_files(self)

    monkeypatch.setattr(CatalogStore, "_current_signature", counted)
    # Two answers, each with its buttons, and "Was this helpful?" on the last: several texts, one check.
    rasa.replies = [to_render("utter_rights_free_care", "fr"), to_render("utter_rights_undocumented", "fr")]
    first = say(client, "les soins sont gratuits ?")
    assert len(first) == 2 and first[1]["buttons"]
    assert len(checks) == 1
    say(client, "1")  # a typed choice: compared with the buttons' titles, and answered
    assert len(checks) == 2
