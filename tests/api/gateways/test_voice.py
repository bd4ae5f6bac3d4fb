"""The phone hotline's TwiML: language menu, keypad triage, queue or voice message, for every branch."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.cases.models import Case, CaseMessage
from api.core.config import get_settings
from api.crypto import decrypt
from api.gateways import voice
from api.gateways.conversation import conversation_id_for
from api.nlg.render import render_response
from api.outbox.models import ChannelIdentity
from api.privacy.models import MediaDeletion
from api.privacy.twilio_media import delete_pending_media
from api.routes.voice import router
from tests.api.gateways.conftest import PUBLIC_BASE_URL
from tests.api.gateways.webhook_requests import gateway_app, signed_post

CALLER = "+212698765432"
# A Wednesday, 11:00 in Morocco (UTC+1).
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
SUNDAY_NIGHT = datetime(2026, 11, 29, 22, 0, tzinfo=timezone.utc)


@pytest.fixture
def client(factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(gateway_app(router)) as test_client:
        yield test_client


def call(**fields: str) -> dict[str, str]:
    return {"CallSid": "CA" + "7" * 32, "From": CALLER, "To": "+212500000000", "AccountSid": "AC" + "0" * 32,
            **fields}


def post(client: TestClient, step: str, query: str = "", **fields: str) -> ET.Element:
    path = f"{voice.BASE_PATH}{'/' + step if step else ''}{'?' + query if query else ''}"
    response = signed_post(client, path, call(**fields))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.text)


def answered(session, language: str, answers: str, digit: str, now: datetime) -> ET.Element:  # type: ignore[no-untyped-def]
    """The last triage answer at a chosen moment (opening hours depend on the clock)."""
    response = voice.answer_triage(session, voice.Caller.from_form(call()), language, answers, digit, False, now=now)
    return ET.fromstring(str(response))


def said(element: ET.Element) -> list[str]:
    return [say.text or "" for say in element.iter("Say")]


def text(key: str, language: str) -> str:
    return render_response(key, language, {}).text


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_a_call_is_welcomed_with_the_language_menu_by_keypad(client) -> None:
    twiml = post(client, "")
    [gather] = twiml.findall("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{PUBLIC_BASE_URL}/webhooks/voice/language"
    says = gather.findall("Say")
    # Before anything else, in French then Arabic: in danger, hang up and call 15 or 112.
    assert [(say.text, say.get("language")) for say in says[:2]] == [
        (text("voice.emergency_first", "fr"), "fr-FR"), (text("voice.emergency_first", "ar"), "arb")]
    assert all("15" in say.text and "112" in say.text for say in says[:2])
    assert says[2].text == text("voice.welcome", "fr")
    # emergency line x2, welcome, one line per language, then the erase key offered in each spoken language
    assert len(says) == 3 + len(voice.LANGUAGE_MENU) + len(voice.FORGET_LANGUAGES)
    languages = [say.get("language") for say in says[3:3 + len(voice.LANGUAGE_MENU)]]
    assert languages[:3] == ["fr-FR", "arb", "en-US"]
    assert set(languages[3:]) == {"fr-FR"}  # no voice speaks Wolof, Lingala...: the French line is read
    arabic_line = says[4].text or ""
    assert "2" in arabic_line and "\u2068" not in arabic_line and "\u2069" not in arabic_line  # no screen marks


def test_a_community_language_with_a_recording_is_played_instead_of_read(client, tmp_path, monkeypatch) -> None:
    recording = tmp_path / "wo" / "audio" / "voice.menu_language.mp3"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"ID3 fake mp3")
    monkeypatch.setattr(voice, "audio_file", lambda lang, key: tmp_path / lang / "audio" / f"{key}.mp3")
    twiml = post(client, "")
    assert [p.text for p in twiml.iter("Play")] == [f"{PUBLIC_BASE_URL}/voice/audio/wo/voice.menu_language.mp3"]
    # emergency x2, welcome, 8 read lines, the erase key in 3 languages
    assert len(list(twiml.iter("Say"))) == 2 + len(voice.LANGUAGE_MENU) + len(voice.FORGET_LANGUAGES)
    served = client.get("/voice/audio/wo/voice.menu_language.mp3")
    assert served.status_code == 200 and served.content == b"ID3 fake mp3"
    assert client.get("/voice/audio/wo/voice.welcome.mp3").status_code == 404
    assert client.get("/voice/audio/xx/voice.menu_language.mp3").status_code == 404


@pytest.mark.parametrize(("digit", "language", "tts"), [("1", "fr", "fr-FR"), ("2", "ary", "arb"), ("3", "en", "en-US"),
                                                         ("4", "wo", "fr-FR"), ("", "fr", "fr-FR")])
def test_choosing_a_language_asks_the_emergency_question_in_it(client, digit, language, tts) -> None:
    twiml = post(client, "language", Digits=digit)
    [gather] = twiml.findall("Gather")
    assert query_of(gather.get("action")) == {"lang": language, "answers": ""}
    [say] = gather.findall("Say")
    assert say.get("language") == tts
    assert say.text == text("voice.ask_emergency", language if tts != "fr-FR" else "fr")


def test_a_caller_who_presses_nothing_in_the_language_menu_hears_the_emergency_line_first(client) -> None:
    twiml = post(client, "language", Digits="")
    assert said(twiml)[:2] == [text("voice.emergency_first", "fr"), text("voice.emergency_first", "ar")]
    assert [child.tag for child in twiml] == ["Say", "Say", "Gather"]  # then the first question, in French


def test_an_unknown_key_in_the_language_menu_plays_the_menu_again(client) -> None:
    twiml = post(client, "language", Digits="*")
    assert [r.text for r in twiml.iter("Redirect")] == [f"{PUBLIC_BASE_URL}/webhooks/voice"]


def test_the_triage_asks_pregnant_child_and_violence_in_turn(client) -> None:
    asked = []
    answers = ""
    for digit in ("2", "1", "2"):
        twiml = post(client, "triage", f"lang=en&answers={answers}", Digits=digit)
        gather = twiml.find("Gather")
        answers = query_of(gather.get("action"))["answers"]
        asked.append(said(gather)[0])
    assert asked == [text("voice.ask_pregnant", "en"), text("voice.ask_child", "en"), text("voice.ask_violence", "en")]
    assert answers == "212"


def test_a_missing_answer_is_asked_again_once_then_taken_as_no(client) -> None:
    twiml = post(client, "triage", "lang=fr&answers=2", Digits="")
    gather = twiml.find("Gather")
    assert query_of(gather.get("action")) == {"lang": "fr", "answers": "2", "retry": "1"}
    # Nothing pressed: the emergency numbers first, then the same question.
    assert said(twiml) == [text("voice.emergency_first", "fr"), text("voice.ask_pregnant", "fr")]
    twiml = post(client, "triage", "lang=fr&answers=2&retry=1", Digits="7")
    assert query_of(twiml.find("Gather").get("action"))["answers"] == "22"


def test_a_wrong_key_is_asked_again_without_the_emergency_line(client) -> None:
    twiml = post(client, "triage", "lang=en&answers=2", Digits="9")
    assert said(twiml) == [text("voice.ask_pregnant", "en")]


def test_after_the_last_answer_a_case_is_created_and_with_unknown_hours_a_message_is_recorded(client, factory) -> None:
    twiml = post(client, "triage", "lang=en&answers=212", Digits="2")
    with factory() as session:
        case = session.scalars(select(Case)).one()
        assert (case.channel, case.language, case.triage_level, case.contact) == ("voice", "en", "vulnerable", "callback")
        assert case.triage_flags["pregnant"] and not case.triage_flags["violence"]
        assert decrypt(case.callback_number_encrypted) == CALLER
        assert case.conversation_id == conversation_id_for("voice", CALLER)
    # Hours unknown: the emergency line, then "the hours are not known" (never "closed"), then the message.
    assert said(twiml) == [text("voice.emergency_first", "en"), text("voice.hours_unknown", "en"),
                           text("voice.leave_message", "en")]
    assert text("voice.closed_hours", "en") not in said(twiml)
    [record] = twiml.findall("Record")
    assert query_of(record.get("action")) == {"lang": "en", "case": str(case.id)}
    assert record.get("maxLength") == str(get_settings().voice_max_recording_seconds)
    assert twiml.find("Enqueue") is None


def test_an_emergency_hears_the_emergency_numbers_and_gets_the_highest_priority_case(client, factory) -> None:
    twiml = post(client, "triage", "lang=fr&answers=", Digits="1")
    assert said(twiml)[0] == text("utter_emergency_numbers", "fr")
    # The numbers were just given: the voice message path does not repeat them.
    assert said(twiml)[1:] == [text("voice.hours_unknown", "fr"), text("voice.leave_message", "fr")]
    assert twiml.find("Gather") is None  # no more questions
    with factory() as session:
        case = session.scalars(select(Case)).one()
    assert (case.triage_level, case.base_priority) == ("emergency", 1000)


def test_the_same_call_answering_twice_makes_one_case(client, factory) -> None:
    post(client, "triage", "lang=fr&answers=222", Digits="2")
    post(client, "triage", "lang=fr&answers=222", Digits="2")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_a_hidden_number_gets_a_case_without_a_callback_number(client, factory) -> None:
    post(client, "triage", "lang=fr&answers=222", Digits="1", From="anonymous")
    with factory() as session:
        case = session.scalars(select(Case)).one()
    assert (case.triage_level, case.callback_number_encrypted) == ("violence", None)


def test_while_the_hotline_is_open_the_caller_waits_in_the_queue_of_their_level(factory, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "hotline_hours", "mon-fri 09:00-17:00")
    with factory() as session:
        twiml = answered(session, "fr", "222", "1", WEDNESDAY_MORNING)
    [enqueue] = twiml.findall("Enqueue")
    assert enqueue.text == "hotline-violence"
    assert query_of(enqueue.get("waitUrl")) == {"lang": "fr"}
    assert urlsplit(enqueue.get("action")).path == "/webhooks/voice/queue-result"
    assert twiml.find("Record") is None


def test_with_a_taskrouter_workflow_the_call_carries_the_case_priority(factory, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "hotline_hours", "mon-fri 09:00-17:00")
    monkeypatch.setattr(get_settings(), "twilio_voice_workflow_sid", "WW" + "1" * 32)
    with factory() as session:
        twiml = answered(session, "fr", "", "1", WEDNESDAY_MORNING)
    enqueue = twiml.find("Enqueue")
    assert enqueue.get("workflowSid") == "WW" + "1" * 32
    assert enqueue.find("Task").get("priority") == "1000"


def test_outside_opening_hours_the_caller_is_told_and_asked_to_leave_a_message(factory, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "hotline_hours", "mon-fri 09:00-17:00")
    with factory() as session:
        twiml = answered(session, "ary", "222", "2", SUNDAY_NIGHT)
    assert said(twiml) == [text("voice.emergency_first", "ary"), text("voice.closed_hours", "ary"),
                           text("voice.leave_message", "ary")]
    assert twiml.find("Record") is not None and twiml.find("Enqueue") is None


@pytest.mark.parametrize(("waited", "verbs"), [("30", ["Say", "Pause"]), ("301", ["Leave"])])
def test_waiting_callers_hear_the_waiting_message_until_the_longest_wait(client, waited, verbs) -> None:
    twiml = post(client, "wait", "lang=en", QueueTime=waited, QueuePosition="2")
    assert [child.tag for child in twiml] == verbs


def test_a_caller_who_left_the_queue_unanswered_can_leave_a_message(client, factory) -> None:
    post(client, "triage", "lang=fr&answers=222", Digits="2")
    with factory() as session:
        case_id = session.scalars(select(Case.id)).one()
    twiml = post(client, "queue-result", f"lang=fr&case={case_id}", QueueResult="leave")
    assert said(twiml) == [text("voice.emergency_first", "fr"), text("voice.leave_message", "fr")]
    assert query_of(twiml.find("Record").get("action"))["case"] == str(case_id)
    answered = post(client, "queue-result", f"lang=fr&case={case_id}", QueueResult="bridged")
    assert [child.tag for child in answered] == ["Hangup"]


def test_a_recorded_message_is_attached_to_the_case_and_the_caller_thanked(client, factory) -> None:
    post(client, "triage", "lang=fr&answers=222", Digits="2")
    with factory() as session:
        case_id = session.scalars(select(Case.id)).one()
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE123"
    twiml = post(client, "recorded", f"lang=fr&case={case_id}", RecordingUrl=recording, RecordingDuration="12")
    assert said(twiml) == [text("voice.message_recorded", "fr")]
    assert [child.tag for child in twiml][-1] == "Hangup"
    with factory() as session:
        stored = session.scalars(select(CaseMessage)).all()
    assert [(m.case_id, m.direction, m.media_url) for m in stored] == [(case_id, "in", recording)]


@pytest.mark.parametrize("step", ["", "language", "triage?lang=fr&answers=222", "recorded?lang=fr&case=1"])
def test_unsigned_voice_webhooks_are_refused_and_create_nothing(client, factory, step) -> None:
    response = signed_post(client, f"{voice.BASE_PATH}/{step}".rstrip("/"), call(Digits="1"), signature="forged")
    assert response.status_code == 403
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_no_caller_number_appears_in_the_logs(client, caplog) -> None:
    caplog.set_level("INFO")
    caplog.set_level("DEBUG", logger="api")
    post(client, "triage", "lang=fr&answers=", Digits="1")
    assert caplog.records
    assert CALLER not in caplog.text and CALLER[1:] not in caplog.text


# --- erasing what is kept about the caller's number -------------------------------------------------

async def test_a_caller_erases_their_cases_and_recordings_with_the_keypad(client, factory, clouds) -> None:
    recording = f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/RE{'5' * 32}"
    with factory() as session:
        answered(session, "fr", "222", "2", SUNDAY_NIGHT)  # a case, then a voice message
        case = session.scalars(select(Case)).one()
        voice.store_recording(session, case.id, "fr", recording)
    menu = post(client, "")
    assert render_response("voice.menu_forget", "fr", {"digit": voice.FORGET_DIGIT}).text in said(menu)
    question = post(client, "language", Digits=voice.FORGET_DIGIT)
    assert [g.get("action") for g in question.iter("Gather")] == [f"{PUBLIC_BASE_URL}/webhooks/voice/forget"]
    assert text("voice.ask_forget_confirm", "ary") in said(question)
    back = post(client, "forget", Digits="2")
    assert back.find("Redirect") is not None
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1  # 2 changes nothing
    done = post(client, "forget", Digits="1")
    assert text("voice.forget_done", "en") in said(done) and done.find("Hangup") is not None
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0
        assert session.get(ChannelIdentity, conversation_id_for("voice", CALLER)) is None
    # The recording is deleted at Twilio itself by the worker, not only unlinked here.
    assert await delete_pending_media(factory) == 1
    assert clouds.twilio.deleted == [urlsplit(recording).path]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(MediaDeletion)) == 0
