"""Twilio Voice webhooks for the phone hotline (signed requests only) and the editors' recorded prompts."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from api.core.errors import NotFound
from api.core.languages import SUPPORTED_LANGUAGES
from api.db import get_session
from api.gateways import voice
from api.gateways.twilio_signature import verified_twilio_form

router = APIRouter(tags=["voice"])

PROMPT_KEY = re.compile(r"^[a-z0-9_.]{1,64}$")


def twiml(response: VoiceResponse) -> Response:
    """A TwiML document as Twilio expects it."""
    return Response(str(response), media_type="application/xml")


@router.post(voice.BASE_PATH, include_in_schema=False)
def incoming_call(_form: dict[str, str] = Depends(verified_twilio_form)) -> Response:
    """A call comes in: welcome and language menu."""
    return twiml(voice.language_menu())


@router.post(f"{voice.BASE_PATH}/language", include_in_schema=False)
def language_chosen(form: dict[str, str] = Depends(verified_twilio_form)) -> Response:
    """The key pressed in the language menu."""
    return twiml(voice.choose_language(form.get("Digits", "")))


@router.post(f"{voice.BASE_PATH}/forget", include_in_schema=False)
def forget_answered(form: dict[str, str] = Depends(verified_twilio_form),
                    session: Session = Depends(get_session)) -> Response:
    """The key pressed after "press 1 to erase what we keep about your number"."""
    return twiml(voice.answer_forget(session, voice.Caller.from_form(form), form.get("Digits", "")))


@router.post(f"{voice.BASE_PATH}/triage", include_in_schema=False)
def triage_answered(lang: str = Query(), answers: str = Query(default="", pattern="^[12]{0,4}$"),
                    retry: int = Query(default=0), form: dict[str, str] = Depends(verified_twilio_form),
                    session: Session = Depends(get_session)) -> Response:
    """One keypad answer to a triage question."""
    return twiml(voice.answer_triage(session, voice.Caller.from_form(form), lang, answers,
                                     form.get("Digits", ""), retry=bool(retry)))


@router.post(f"{voice.BASE_PATH}/wait", include_in_schema=False)
def waiting(lang: str = Query(), form: dict[str, str] = Depends(verified_twilio_form)) -> Response:
    """Twilio's waitUrl while the caller is in the queue."""
    seconds = form.get("QueueTime", "0")
    return twiml(voice.waiting_music(lang, int(seconds) if seconds.isdigit() else 0))


@router.post(f"{voice.BASE_PATH}/queue-result", include_in_schema=False)
def queue_left(lang: str = Query(), case: int = Query(), form: dict[str, str] = Depends(verified_twilio_form),
               session: Session = Depends(get_session)) -> Response:
    """The caller left the queue: connected, hung up, or waited too long."""
    return twiml(voice.after_queue(session, case, lang, form.get("QueueResult", "")))


@router.post(f"{voice.BASE_PATH}/recorded", include_in_schema=False)
def message_recorded(lang: str = Query(), case: int = Query(), form: dict[str, str] = Depends(verified_twilio_form),
                     session: Session = Depends(get_session)) -> Response:
    """The caller's voice message is ready at Twilio: attach it to the case."""
    return twiml(voice.store_recording(session, case, lang, form.get("RecordingUrl", "")))


@router.get(f"{voice.AUDIO_PATH}/{{language}}/{{key}}.mp3", include_in_schema=False)
def recorded_prompt(language: str, key: str) -> FileResponse:
    """An editor's recording of a prompt (locales/<lang>/audio/<key>.mp3), fetched by Twilio."""
    path = voice.audio_file(language, key)
    if language not in SUPPORTED_LANGUAGES or not PROMPT_KEY.match(key) or not path.is_file():
        raise NotFound("prompt_not_found", "No recording for this prompt and language.")
    return FileResponse(path, media_type="audio/mpeg")
