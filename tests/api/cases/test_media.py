"""Attachments keep what they are: voice notes play inline, images show, other files stay a link."""

from __future__ import annotations

import pytest

from api.cases.handoff import record_person_message
from api.cases.models import Case
from api.cases.views import media_kind
from tests.api.cases.fixtures import create_case, login


@pytest.mark.parametrize(("declared", "kind"), [
    ("voice", "audio"), ("photo", "image"), ("audio/ogg", "audio"), ("image/jpeg", "image"), ("video/mp4", "video"),
    ("application/pdf", "file"), ("document", "file"), (None, "file")])
def test_the_declared_type_decides_how_the_console_shows_an_attachment(declared, kind) -> None:
    assert media_kind("https://hotline.example.org/media/telegram/abc", declared) == kind
    assert media_kind(None, declared) is None


def test_a_voice_note_and_a_photo_keep_their_kind_on_the_case_page_and_in_the_api(client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client)
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    with factory() as session:
        case = session.get(Case, created["case_id"])
        record_person_message(session, case, "", media_url="/media/telegram/voice1", media_type="voice")
        record_person_message(session, case, "voilà", media_url="/media/telegram/photo1", media_type="photo")
        session.commit()
    messages = client.get(f"/api/v1/cases/{created['case_id']}/messages").json()
    assert [(m["media_url"], m["media_kind"]) for m in messages if m["media_url"]] == [
        ("/media/telegram/voice1", "audio"), ("/media/telegram/photo1", "image")]
    page = client.get(f"/console/cases/{created['case_id']}")
    assert '<audio controls preload="none" src="/media/telegram/voice1"' in page.text
    assert '<img class="media" src="/media/telegram/photo1"' in page.text
    assert "media-src 'self'" in page.headers["content-security-policy"]
