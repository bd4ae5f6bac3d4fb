"""Uploading a clip: editors and admins only; type, length and size checked from the content; served by its URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.audio.encoding import AudioRejected, encode_clip, sniff_container
from api.audio.index import audio_available
from api.audio.models import AudioClip
from api.core.config import get_settings
from tests.api.audio.recordings import FORMATS, tone
from tests.api.cases.fixtures import Seeded, add_operator, login

MESSAGE = "utter_greet"
PATH = f"/api/v1/audio/clips/fr/{MESSAGE}"


def as_editor(client: TestClient, factory: sessionmaker[Session], role: str = "editor") -> TestClient:
    with factory() as session:
        add_operator(session, f"{role}.audio@example.org", None, role)
        session.commit()
    return login(client, f"{role}.audio@example.org")


def upload(client: TestClient, data: bytes, name: str = "clip", path: str = PATH, **headers: str):  # type: ignore[no-untyped-def]
    return client.put(path, files={"file": (name, data, "audio/ogg")}, headers=headers)


def clip_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AudioClip)) or 0


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_format_a_phone_or_browser_records_is_accepted_and_made_mp3(kind: str) -> None:
    clip = encode_clip(tone(kind, seconds=1.5), max_seconds=120)
    assert clip.content_type == "audio/mpeg" and sniff_container(clip.data) == "mp3"
    assert 1.4 <= clip.duration_seconds <= 1.6  # counted from the samples, also for MediaRecorder's WebM


def test_a_file_named_like_audio_but_not_audio_is_refused_by_its_content() -> None:
    for data in (b"<html>not audio</html>", b"%PDF-1.7 " + b"x" * 100, tone("ogg")[:300]):
        with pytest.raises(AudioRejected) as refused:
            encode_clip(data, max_seconds=120)
        assert refused.value.code in ("audio.error_type", "audio.error_unreadable")


def test_an_editor_uploads_listens_and_deletes_a_clip(client: TestClient, factory, seeded: Seeded,
                                                      audio_dir: Path) -> None:
    as_editor(client, factory)
    response = upload(client, tone("webm"), "recording")
    assert response.status_code == 201, response.text
    clip = response.json()
    assert (clip["msgid"], clip["language"], clip["source_type"]) == (MESSAGE, "fr", "audio/webm")
    assert audio_available(MESSAGE, "fr") and not audio_available(MESSAGE, "en")
    path = clip["url"].replace(get_settings().public_base_url, "")
    served = TestClient(client.app).get(path)  # no session: channels fetch it by its URL alone
    assert served.status_code == 200 and served.headers["content-type"] == "audio/mpeg"
    assert sniff_container(served.content) == "mp3"
    assert [c["msgid"] for c in client.get("/api/v1/audio/clips").json()] == [MESSAGE]
    again = upload(client, tone("ogg")).json()
    assert again["url"] != clip["url"] and TestClient(client.app).get(path).status_code == 404
    assert len(list(audio_dir.iterdir())) == 1  # the replaced file is gone
    assert client.delete(PATH).status_code == 204
    assert not audio_available(MESSAGE, "fr") and list(audio_dir.iterdir()) == []
    assert client.delete(PATH).status_code == 404


def test_a_guessed_or_malformed_clip_url_finds_nothing(client: TestClient) -> None:
    for path in ("/audio/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.mp3", "/audio/..%2F..%2Fapp.db.mp3", "/audio/x.mp3", "/audio/"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("role, status", [("operator", 403), ("supervisor", 403), ("admin", 201), ("editor", 201)])
def test_only_editors_and_admins_upload(client: TestClient, factory, seeded: Seeded, role: str, status: int) -> None:
    as_editor(client, factory, role)
    assert upload(client, tone("ogg")).status_code == status


def test_without_a_session_or_csrf_token_nothing_is_stored(client: TestClient, factory, seeded: Seeded) -> None:
    assert upload(client, tone("ogg")).status_code == 401
    as_editor(client, factory)
    assert upload(client, tone("ogg"), **{"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.get("/api/v1/audio/clips", headers={"Cookie": ""}).status_code in (200, 401)
    assert clip_count(factory) == 0


def test_wrong_type_is_refused_with_the_catalogs_text_in_the_editors_language(
        client: TestClient, factory, seeded: Seeded) -> None:
    as_editor(client, factory)
    french = upload(client, b"GIF89a not a sound", "clip.ogg", **{"Accept-Language": "fr"})
    assert french.status_code == 415 and french.json()["code"] == "audio_type"
    assert french.json()["detail"].startswith("Ce n'est pas un enregistrement audio")
    english = upload(client, b"GIF89a not a sound", "clip.ogg", **{"Accept-Language": "en"})
    assert english.json()["detail"].startswith("Not an audio recording we can send")
    assert clip_count(factory) == 0


def test_too_long_is_refused_with_the_limit(client: TestClient, factory, seeded: Seeded, monkeypatch) -> None:
    monkeypatch.setenv("AUDIO_MAX_SECONDS", "1")
    get_settings.cache_clear()
    as_editor(client, factory)
    response = upload(client, tone("ogg", seconds=2.5), **{"Accept-Language": "fr"})
    assert response.status_code == 422 and response.json()["code"] == "audio_too_long"
    assert response.json()["detail"] == "L'enregistrement est trop long : 1 s au plus."
    assert clip_count(factory) == 0


@pytest.mark.parametrize("limit", [20_000, 60_000])  # refused from its Content-Length unread; refused once read
def test_too_big_is_refused_before_it_is_decoded(client: TestClient, factory, seeded: Seeded, monkeypatch,
                                                 limit: int) -> None:
    monkeypatch.setenv("AUDIO_MAX_BYTES", str(limit))
    get_settings.cache_clear()
    as_editor(client, factory)
    response = upload(client, tone("wav", seconds=1.0), **{"Accept-Language": "en"})  # 96 kB of PCM
    assert response.status_code == 413 and response.json()["code"] == "audio_too_big"
    assert response.json()["detail"] == f"The file is too big: {round(limit / 1048576, 1)} MB at most."
    assert clip_count(factory) == 0


def test_an_unknown_message_or_language_is_refused(client: TestClient, factory, seeded: Seeded) -> None:
    as_editor(client, factory)
    assert upload(client, tone("ogg"), path="/api/v1/audio/clips/fr/utter_no_such_thing").status_code == 404
    assert upload(client, tone("ogg"), path=f"/api/v1/audio/clips/xx/{MESSAGE}").status_code == 404
    assert upload(client, tone("ogg"), path=f"/api/v1/audio/clips/fr/{MESSAGE}%2F..").status_code in (404, 422)
    assert clip_count(factory) == 0


def test_the_console_page_is_for_editors_and_admins(client: TestClient, factory, seeded: Seeded) -> None:
    as_editor(client, factory, "operator")
    assert client.get("/console/audio").status_code == 403
    client.cookies.clear()
    as_editor(client, factory, "editor")
    page = client.get("/console/audio?lang=fr")
    assert page.status_code == 200 and "Réponses audio" in page.text and MESSAGE in page.text


def test_an_empty_file_is_refused_as_not_audio_not_as_too_big(client: TestClient, factory, seeded: Seeded) -> None:
    as_editor(client, factory)
    response = upload(client, b"")
    assert response.status_code == 415 and response.json()["code"] == "audio_type"


def test_the_workspace_coverage_counts_the_recordings_per_language(client: TestClient, factory, seeded: Seeded) -> None:
    as_editor(client, factory)
    def recordings(language: str) -> str:
        page = client.get("/console/editor").text
        row = page.split(f'<tr data-language="{language}">', 1)[1].split("</tr>", 1)[0]
        return row.split("<td>")[6].split("</td>", 1)[0]  # the column after "falling back"
    assert recordings("fr") == "0"
    assert upload(client, tone("ogg")).status_code == 201
    assert recordings("fr") == "1" and recordings("wo") == "0"
