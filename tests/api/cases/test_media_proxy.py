"""A WhatsApp voice note or a phone recording plays on the case page: fetched from Twilio by the API, for the
operators who may see the case only (Twilio answers its media URLs with the account's credentials alone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.cases.handoff import record_person_message
from api.cases.models import Case
from api.core.config import get_settings
from tests.api.cases.fixtures import create_case, login
from tests.fakes.twilio import FakeTwilio, running_fake_twilio

SID, TOKEN = "AC" + "1" * 32, "twilio-test-token"
MEDIA = f"/2010-04-01/Accounts/{SID}/Messages/MM{'2' * 32}/Media/ME{'3' * 32}"
VOICE_NOTE = b"OggS" + b"\x00" * 60


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with running_fake_twilio(SID, TOKEN) as fake:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
        get_settings.cache_clear()
        fake.files[MEDIA] = (VOICE_NOTE, "audio/ogg")
        yield fake
    get_settings.cache_clear()


def case_with_voice_note(client, factory, media_url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    created = create_case(client)
    with factory() as session:
        record_person_message(session, session.get(Case, created["case_id"]), "", media_url=media_url,
                              media_type="audio/ogg")
        session.commit()
    return created["case_id"], media_url


def test_a_whatsapp_voice_note_is_served_to_the_operator_through_the_api(client, factory, seeded, twilio) -> None:
    case_id, _ = case_with_voice_note(client, factory, twilio.url + MEDIA)
    login(client, "op.a@example.org")
    [message] = client.get(f"/api/v1/cases/{case_id}/messages").json()
    assert message["media_kind"] == "audio"
    assert message["media_url"] == f"/api/v1/cases/{case_id}/messages/{message['id']}/media"  # same origin: CSP allows
    served = client.get(message["media_url"])
    assert served.status_code == 200 and served.content == VOICE_NOTE
    assert served.headers["content-type"] == "audio/ogg" and "no-store" in served.headers["cache-control"]
    page = client.get(f"/console/cases/{case_id}").text
    assert f'<audio controls preload="none" src="{message["media_url"]}"' in page


def test_another_association_and_a_visitor_get_nothing(client, factory, seeded, twilio) -> None:
    case_id, _ = case_with_voice_note(client, factory, twilio.url + MEDIA)
    login(client, "op.a@example.org")
    [message] = client.get(f"/api/v1/cases/{case_id}/messages").json()
    client.post("/api/v1/auth/logout")
    assert client.get(message["media_url"]).status_code == 401
    login(client, "op.b@example.org")
    assert client.get(message["media_url"]).status_code == 404


def test_media_of_another_twilio_account_or_gone_at_twilio_is_a_clear_404(client, factory, seeded, twilio) -> None:
    foreign = MEDIA.replace(SID, "AC" + "9" * 32)
    case_id, _ = case_with_voice_note(client, factory, twilio.url + foreign)
    login(client, "op.a@example.org")
    [message] = client.get(f"/api/v1/cases/{case_id}/messages").json()
    refused = client.get(message["media_url"])
    assert refused.status_code == 404 and refused.json()["code"] == "media_not_found"
    twilio.files.clear()
    case_id, _ = case_with_voice_note(client, factory, twilio.url + MEDIA)
    [message] = client.get(f"/api/v1/cases/{case_id}/messages").json()
    gone = client.get(message["media_url"])
    assert gone.status_code == 404 and gone.json()["code"] == "media_not_found"
