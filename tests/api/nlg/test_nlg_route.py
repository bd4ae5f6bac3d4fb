"""Rasa's NLG endpoint: the request Rasa 3.6 posts, the body it accepts, catalogs reloaded while running."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.config import Settings, get_settings, settings_on_the_loop
from api.nlg.catalogs import catalog_path
from api.nlg.render import FSI, PDI
from api.routes import nlg
from tests.api.nlg.catalog_files import ARABIC, FRENCH, make_locales

# rasa/core/nlg/callback.py (3.6): nlg_response_format_spec, written out because the app side has no Rasa.
RASA_RESPONSE_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str, type(None)), "id": (str, type(None)), "buttons": (list, type(None)),
    "elements": (list, type(None)), "attachment": (dict, type(None)), "image": (str, type(None)),
    "custom": (dict,),
}


@pytest.fixture
def locales_dir(tmp_path: Path) -> Path:
    return make_locales(tmp_path)


@pytest.fixture
def client(locales_dir: Path) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(nlg.router)
    settings = Settings(locales_dir=locales_dir, public_base_url="https://hotline.example.org")
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[settings_on_the_loop] = lambda: settings
    with TestClient(app, headers={"Authorization": f"Bearer {settings.nlg_token}"}) as test_client:
        yield test_client


def rasa_request(response: str, slots: dict[str, Any] | None = None, arguments: dict[str, Any] | None = None,
                 latest_language: str | None = None) -> dict[str, Any]:
    """The body Rasa 3.6 posts (rasa.core.nlg.callback.nlg_request_format), trimmed to what matters."""
    latest: dict[str, Any] = {"intent": {"name": "greet", "confidence": 0.99}, "entities": [], "text": "..."}
    if latest_language:
        latest["language"] = {"code": latest_language, "confidence": 0.97}
    return {"response": response, "id": None, "arguments": arguments or {},
            "tracker": {"sender_id": "tg-abc", "slots": slots or {}, "latest_message": latest, "events": [],
                        "paused": False, "followup_action": None, "active_loop": {}},
            "channel": {"name": "rest"}}


def test_response_matches_rasas_nlg_response_schema(client: TestClient) -> None:
    body = client.post("/nlg", json=rasa_request("utter_greet", {"language": "fr"})).json()
    assert set(body) <= set(RASA_RESPONSE_TYPES)
    for key, value in body.items():
        assert isinstance(value, RASA_RESPONSE_TYPES[key]), key
    assert body["text"] == FRENCH["utter_greet"]
    assert body["buttons"] == [{"title": "Menu", "payload": "/ask_help_menu"},
                               {"title": "Langue", "payload": "/change_language"}]


def test_language_comes_from_the_language_slot(client: TestClient) -> None:
    body = client.post("/nlg", json=rasa_request("utter_greet", {"language": "ar"}, latest_language="fr")).json()
    assert body["text"] == ARABIC["utter_greet"]


def test_without_a_slot_the_latest_detected_language_is_used(client: TestClient) -> None:
    body = client.post("/nlg", json=rasa_request("utter_greet", {"language": None}, latest_language="ar")).json()
    assert body["text"] == ARABIC["utter_greet"]


def test_without_any_language_the_answer_is_french(client: TestClient) -> None:
    assert client.post("/nlg", json=rasa_request("utter_greet")).json()["text"] == FRENCH["utter_greet"]


def test_placeholders_come_from_arguments_before_slots(client: TestClient) -> None:
    request = rasa_request("utter_services_list", {"language": "fr", "city": "Nador"},
                           arguments={"city": "Oujda", "services": "1. CHU"})
    assert client.post("/nlg", json=request).json()["text"] == "Services près de Oujda :\n1. CHU"


@pytest.mark.parametrize("language", ["ar", "ary"])
def test_an_arabic_reader_reads_the_town_in_arabic_letters(client: TestClient, language: str) -> None:
    request = rasa_request("utter_services_list", {"language": language},
                           arguments={"city": "Oujda", "services": "1. CHU"})
    assert client.post("/nlg", json=request).json()["text"] == f"الخدمات قرب {FSI}وجدة{PDI}:\n{FSI}1. CHU{PDI}"


def test_a_town_the_gazetteer_does_not_know_keeps_its_spelling(client: TestClient) -> None:
    request = rasa_request("utter_services_list", {"language": "ar"}, arguments={"city": "Zagora", "services": "-"})
    assert "Zagora" in client.post("/nlg", json=request).json()["text"]


def test_reference_slot_fills_the_placeholder_isolated_in_arabic(client: TestClient) -> None:
    request = rasa_request("utter_referral_created", {"language": "ar", "reference": "SM-4K7Q2"})
    assert client.post("/nlg", json=request).json()["text"] == f"تم تسجيل طلبك: {FSI}SM-4K7Q2{PDI}."


def test_the_rasa_2_template_field_is_still_understood(client: TestClient) -> None:
    request = rasa_request("utter_goodbye")
    request["template"] = request.pop("response")
    assert client.post("/nlg", json=request).json()["text"] == FRENCH["utter_goodbye"]


def test_unknown_response_is_a_404_with_a_code(client: TestClient) -> None:
    response = client.post("/nlg", json=rasa_request("utter_nowhere"))
    assert response.status_code == 404 and response.json()["code"] == "unknown_response"


def test_an_edited_msgstr_is_served_on_the_next_request_without_restart(client: TestClient,
                                                                          locales_dir: Path) -> None:
    request = rasa_request("utter_goodbye", {"language": "fr"})
    assert client.post("/nlg", json=request).json()["text"] == "Au revoir."
    path = catalog_path(locales_dir, "fr")
    # What an editor does in a text editor: change the msgstr and save the file in place.
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Au revoir."', 'msgstr "À bientôt !"'),
                    encoding="utf-8")
    assert client.post("/nlg", json=request).json()["text"] == "À bientôt !"


def test_a_same_size_edit_saved_by_rename_is_picked_up(client: TestClient, locales_dir: Path) -> None:
    request = rasa_request("utter_goodbye", {"language": "fr"})
    assert client.post("/nlg", json=request).json()["text"] == "Au revoir."
    path = catalog_path(locales_dir, "fr")
    stat = path.stat()
    # Poedit and git write a new file and rename it over the old one; same length, same mtime here.
    replacement = path.with_suffix(".po~")
    replacement.write_text(path.read_text(encoding="utf-8").replace('"Au revoir."', '"Au rev0ir."'), encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert client.post("/nlg", json=request).json()["text"] == "Au rev0ir."


def test_a_catalog_broken_while_running_keeps_the_last_good_texts(client: TestClient, locales_dir: Path) -> None:
    request = rasa_request("utter_goodbye", {"language": "fr"})
    assert client.post("/nlg", json=request).json()["text"] == "Au revoir."
    catalog_path(locales_dir, "fr").write_bytes(b"\xff\xfe not a catalog")
    assert client.post("/nlg", json=request).json()["text"] == "Au revoir."


def test_the_application_serves_the_nlg_endpoint_to_rasa_only_and_the_rights_card() -> None:
    from api.main import app

    client = TestClient(app)  # no lifespan: the outbox worker is not needed to render
    request = rasa_request("utter_greet", {"language": "fr"})
    reply = client.post("/nlg", json=request, headers={"Authorization": f"Bearer {get_settings().nlg_token}"})
    assert reply.status_code == 200 and reply.json()["text"]
    # Only Rasa, holding NLG_TOKEN, may ask (the tracker it sends is a person's conversation).
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": get_settings().nlg_token}):
        refused = client.post("/nlg", json=request, headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "invalid_nlg_token"
    card = client.get("/rights-card/fr.png")
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
