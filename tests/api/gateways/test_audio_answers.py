"""An editor's recording of a French message goes out with its text on every channel.

Telegram sends it as a voice message (fake Bot API), WhatsApp as media (fake Twilio), the phone
line plays it instead of synthetic speech, and the web chat gets a player's URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update

from api.audio.index import audio_available
from api.audio.models import AudioClip
from api.core.config import get_settings
from api.gateways import telegram, voice, whatsapp
from api.nlg.render import render_response
from api.outbox.delivery import register_sender
from tests.api.audio.recordings import tone
from tests.api.cases.fixtures import add_operator, login
from tests.api.gateways.conftest import WHATSAPP_FROM

MESSAGE = "utter_emergency_numbers"
CHAT_ID = 987654321
EDITOR = "audio.editor@example.org"


@pytest.fixture
def app_client(factory: sessionmaker[Session], tmp_path, monkeypatch) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The whole app on the gateway test database, its clips in a folder of the test, an editor logged in."""
    from api.auth.limiter import get_limiter
    from api.main import create_app

    monkeypatch.setenv("AUDIO_DIR", str(tmp_path / "audio"))
    get_settings.cache_clear()
    with factory() as session:
        add_operator(session, EDITOR, None, "editor")
        session.commit()
    get_limiter().reset()
    with TestClient(create_app(), base_url="https://testserver") as client:  # the cookie is Secure here
        login(client, EDITOR)
        yield client


@pytest.fixture
def uploaded(app_client: TestClient) -> str:
    """The editor uploads an Ogg/Opus recording of the emergency numbers in French; returns its URL."""
    response = app_client.put(f"/api/v1/audio/clips/fr/{MESSAGE}",
                              files={"file": ("numbers.ogg", tone("ogg"), "audio/ogg")})
    assert response.status_code == 201, response.text
    return response.json()["url"]


def rasa_output(app_client: TestClient, language: str) -> list[dict[str, Any]]:
    """What Rasa's REST channel hands the gateway for this response: NLG's text, then its attachment."""
    nlg = app_client.post("/nlg", json={"response": MESSAGE, "tracker": {"slots": {"language": language}}},
                          headers={"Authorization": f"Bearer {get_settings().nlg_token}"})
    assert nlg.status_code == 200, nlg.text
    body = nlg.json()
    items = [{"text": body["text"], "buttons": body["buttons"]}]
    if body.get("attachment"):
        items.append({"attachment": body["attachment"]})  # Rasa's send_response: an item of its own
    return items


def test_the_nlg_endpoint_attaches_the_recording_only_in_its_language(app_client, uploaded) -> None:
    french = rasa_output(app_client, "fr")
    assert french[1] == {"attachment": {"type": "audio", "payload": {"src": uploaded}}}
    assert len(rasa_output(app_client, "wo")) == 1  # a French clip is not sent to a Wolof reader
    assert audio_available(MESSAGE, "fr") and not audio_available(MESSAGE, "wo")
    served = app_client.get(uploaded.replace(get_settings().public_base_url, ""))
    assert served.status_code == 200 and served.headers["content-type"] == "audio/mpeg"


async def test_telegram_sends_the_recording_as_a_voice_message_after_the_text(
        app_client, uploaded, clouds, factory) -> None:
    clouds.rasa.replies = rasa_output(app_client, "fr")
    application = telegram.build_application(get_settings(), factory)
    await application.initialize()
    try:
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "text": "au secours",
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "A"},
            "chat": {"id": CHAT_ID, "type": "private"}}}
        await application.process_update(Update.de_json(update, application.bot))
    finally:
        await application.shutdown()
    methods = [name for name, _params in clouds.telegram.calls if name.startswith("send")]
    assert methods == ["sendMessage", "sendVoice"]
    assert clouds.telegram.sent("sendVoice")[0]["voice"] == uploaded
    assert "15" in clouds.telegram.sent()[0]["text"]


async def test_whatsapp_sends_the_recording_as_media_after_the_text(app_client, uploaded, clouds, factory) -> None:
    clouds.rasa.replies = rasa_output(app_client, "fr")
    register_sender(whatsapp.CHANNEL, whatsapp.send_whatsapp)
    await whatsapp.answer_whatsapp_message(factory, {
        "From": "whatsapp:+212612345678", "To": WHATSAPP_FROM, "Body": "au secours", "NumMedia": "0"})
    text, media = clouds.twilio.messages
    assert "15" in text["Body"] and text["MediaUrl"] == []
    assert media["MediaUrl"] == [uploaded] and not media.get("Body")


def test_the_phone_line_plays_the_recording_instead_of_speaking_it(app_client, uploaded, factory) -> None:
    with factory() as session:
        caller = voice.Caller(number="+212612345678", call_sid="CA" + "1" * 32)
        twiml = ElementTree.fromstring(str(voice.answer_triage(session, caller, "fr", "", voice.YES, False)))
    assert [play.text for play in twiml.iter("Play")] == [uploaded]
    numbers = render_response(MESSAGE, "fr").text
    assert numbers not in [say.text for say in twiml.iter("Say")]  # played, not also read out


def test_the_web_chat_reply_carries_the_recording_as_a_path_of_its_own_origin(app_client, uploaded, clouds) -> None:
    clouds.rasa.replies = rasa_output(app_client, "fr")
    response = app_client.post("/chat/api/messages", json={"token": "t" * 32, "text": "au secours"})
    assert response.status_code == 200, response.text
    [reply] = response.json()["replies"]
    assert reply["audio"] == uploaded.replace(get_settings().public_base_url, "") and "15" in reply["text"]


def test_without_a_recording_every_channel_sends_the_text_alone(app_client, clouds, factory) -> None:
    clouds.rasa.replies = rasa_output(app_client, "fr")
    assert len(clouds.rasa.replies) == 1
    with factory() as session:
        caller = voice.Caller(number="+212612345678", call_sid="CA" + "2" * 32)
        twiml = ElementTree.fromstring(str(voice.answer_triage(session, caller, "fr", "", voice.YES, False)))
    assert not list(twiml.iter("Play")) and list(twiml.iter("Say"))


async def test_a_persons_voice_note_is_never_stored_as_a_clip(app_client, uploaded, clouds, factory,
                                                              tmp_path) -> None:
    """Clips are the editors' content: what a person sends goes nowhere near the clips' table or folder."""
    application = telegram.build_application(get_settings(), factory)
    await application.initialize()
    try:
        update = {"update_id": 2, "message": {
            "message_id": 2, "date": int(time.time()), "voice": {"file_id": "VOICE-9", "file_unique_id": "v9",
                                                                   "duration": 3},
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "A"}, "chat": {"id": CHAT_ID, "type": "private"}}}
        await application.process_update(Update.de_json(update, application.bot))
    finally:
        await application.shutdown()
    assert clouds.telegram.sent()  # acknowledged
    with factory() as session:
        assert [(c.msgid, c.language) for c in session.scalars(select(AudioClip))] == [(MESSAGE, "fr")]
    assert len(list((tmp_path / "audio").iterdir())) == 1
    assert not any(name == "download" for name, _params in clouds.telegram.calls)  # not even fetched
