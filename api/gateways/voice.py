"""The phone hotline's IVR (Twilio Voice): language menu, keypad triage, then the queue or a voice message.

Every step is a TwiML document; the call's state (language, answers so far, case) travels
in the signed action URLs, so any API process can serve any step.

The emergency line comes first: a call opens with "in danger, hang up and call 15 or 112"
in French and Arabic, before the language menu; and whenever the caller cannot reach a
person now (closed, hours unknown, nobody free, the voice message) or presses nothing, the
first thing said is 15 and 112, then the rest.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Enqueue, Gather, VoiceResponse

from api.audio.index import audio_url
from api.cases.handoff import record_person_message
from api.cases.intake import create_case_from_referral
from api.cases.models import Case
from api.cases.schemas import ReferralIn, TriageIn
from api.core.config import get_settings
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event
from api.forgetting.erasure import erase_person, finish_erasure
from api.gateways.conversation import conversation_id_for, remember_identity
from api.gateways.voice_hours import hotline_open
from api.nlg.render import FSI, PDI, render_response

logger = logging.getLogger(__name__)

CHANNEL = "voice"
BASE_PATH = "/webhooks/voice"
AUDIO_PATH = "/voice/audio"
# Keypad → language. 2 is Darija: the spoken Arabic of Morocco; the text-to-speech voice is Arabic.
LANGUAGE_MENU: dict[str, str] = {"1": "fr", "2": "ary", "3": "en", "4": "wo", "5": "ln", "6": "ff",
                                 "7": "emk", "8": "sus", "9": "bci"}
# Languages Twilio can speak (Amazon Polly voices); the community languages are not among them.
TTS_VOICES: dict[str, tuple[str, str]] = {"fr": ("fr-FR", "Polly.Lea"), "en": ("en-US", "Polly.Joanna"),
                                          "ar": ("arb", "Polly.Zeina"), "ary": ("arb", "Polly.Zeina")}
TRIAGE_QUESTIONS: tuple[str, ...] = ("emergency", "pregnant", "child", "violence")
YES, NO = "1", "2"
GATHER_TIMEOUT_SECONDS = 8
# Waiting callers hear the waiting message, then this much silence, again and again.
WAIT_PAUSE_SECONDS = 20
QUEUE_RESULTS_CONNECTED = frozenset({"bridged", "bridging-in-progress", "hangup"})
# The language menu's key for "erase what you keep about me"; the offer and its confirmation are
# read in every language a voice speaks, since the caller has not chosen one yet.
FORGET_DIGIT = "0"
FORGET_LANGUAGES: tuple[str, ...] = ("fr", "ary", "en")
EMERGENCY_NUMBERS_RESPONSE = "utter_emergency_numbers"
EMERGENCY_FIRST = "voice.emergency_first"
# The greeting's emergency line is read in these languages, before the caller has chosen one.
GREETING_EMERGENCY_LANGUAGES = ("fr", "ar")
LANGUAGE_CHOICE_RESPONSE = "utter_ask_language"


def action_url(step: str, **params: str | int) -> str:
    """A public URL of an IVR step carrying the call's state (Twilio signs what it calls back)."""
    base = f"{get_settings().public_base_url.rstrip('/')}{BASE_PATH}{'/' + step if step else ''}"
    return f"{base}?{urlencode(params)}" if params else base


def audio_file(language: str, key: str) -> Path:
    """Where editors put a recorded prompt: locales/<lang>/audio/<key>.mp3."""
    return get_settings().locales_dir / language / "audio" / f"{key}.mp3"


def add_prompt(verb: VoiceResponse | Gather, key: str, language: str, variables: dict[str, Any] | None = None) -> None:
    """Play the editors' recording of `key` in `language` if there is one, else speak the catalog text.

    A clip uploaded in the console (api/audio) comes first, then a file under locales/<lang>/audio/.

    A language no voice can speak is read in French (the lingua franca) until a recording exists.
    """
    recording = audio_url(key, language)
    if recording:
        verb.play(recording)
        return
    if audio_file(language, key).is_file():
        verb.play(f"{get_settings().public_base_url.rstrip('/')}{AUDIO_PATH}/{language}/{key}.mp3")
        return
    spoken = spoken_language(language)
    tts_language, voice = TTS_VOICES[spoken]
    text = render_response(key, spoken, variables or {}).text
    # Direction isolates are for screens; a text-to-speech engine gets the plain words.
    verb.say(text.replace(FSI, "").replace(PDI, ""), language=tts_language, voice=voice)


def say_emergency_first(verb: VoiceResponse | Gather, languages: tuple[str, ...]) -> None:
    """"In danger now: hang up and call 15 or 112", in each of `languages`."""
    for language in languages:
        add_prompt(verb, EMERGENCY_FIRST, language)


def language_menu() -> VoiceResponse:
    """The first thing a caller hears: the emergency line (French, Arabic), the welcome, one line per language."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=action_url("language"), method="POST", timeout=GATHER_TIMEOUT_SECONDS,
                    action_on_empty_result=True)
    say_emergency_first(gather, GREETING_EMERGENCY_LANGUAGES)
    add_prompt(gather, "voice.welcome", get_settings().default_language)
    # A line is read in its own language; {language} names it for the lines read in French.
    for digit, language in LANGUAGE_MENU.items():
        name = language_name(language, spoken_language(language))
        add_prompt(gather, "voice.menu_language", language, {"digit": digit, "language": name})
    for language in FORGET_LANGUAGES:
        add_prompt(gather, "voice.menu_forget", language, {"digit": FORGET_DIGIT})
    response.append(gather)
    return response


def forget_question() -> VoiceResponse:
    """The caller pressed 0: confirm (1) that everything kept about their number is to be erased."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=action_url("forget"), method="POST", timeout=GATHER_TIMEOUT_SECONDS,
                    action_on_empty_result=True)
    for language in FORGET_LANGUAGES:
        add_prompt(gather, "voice.ask_forget_confirm", language)
    response.append(gather)
    return response


def answer_forget(session: Session, caller: Caller, digits: str) -> VoiceResponse:
    """1: erase the caller's cases, recordings (at Twilio) and number, say so and hang up; else back to the menu."""
    response = VoiceResponse()
    if digits != YES:
        response.redirect(action_url(""), method="POST")
        return response
    conversation_id = conversation_id_for(CHANNEL, caller.user_key)
    erased = erase_person(session, conversation_id, actor="person", during_turn=False, bot_history=False)
    session.commit()
    finish_erasure(session, conversation_id, grace=timedelta(0))  # nothing to deliver on a phone line
    log_event(logger, "voice_person_erased", cases=erased)
    for language in FORGET_LANGUAGES:
        add_prompt(response, "voice.forget_done", language)
    response.hangup()
    return response


def spoken_language(language: str) -> str:
    """The language a prompt is spoken in when there is no recording: its own, or French."""
    return language if language in TTS_VOICES else get_settings().default_language


def language_name(language: str, in_language: str) -> str:
    """The language's own name: the title of its button in the language choice (the same in every catalog)."""
    for button in render_response(LANGUAGE_CHOICE_RESPONSE, in_language, {}).buttons:
        if button.payload.endswith(f'{{"language": "{language}"}}'):
            return button.title
    return language


def choose_language(digits: str) -> VoiceResponse:
    """After the menu: a known key starts the triage; silence, the emergency line and French; another key, the menu."""
    if digits == FORGET_DIGIT:
        return forget_question()
    if digits and digits not in LANGUAGE_MENU:
        response = VoiceResponse()
        response.redirect(action_url(""), method="POST")
        return response
    if not digits:
        return triage_question(get_settings().default_language, answers="",
                               emergency_first=GREETING_EMERGENCY_LANGUAGES)
    return triage_question(LANGUAGE_MENU[digits], answers="")


def triage_question(language: str, answers: str, retry: bool = False,
                    emergency_first: tuple[str, ...] = ()) -> VoiceResponse:
    """Ask the next yes/no question (1 yes, 2 no) by keypad, after the emergency line when asked to."""
    question = TRIAGE_QUESTIONS[len(answers)]
    params: dict[str, str | int] = {"lang": language, "answers": answers}
    if retry:
        params["retry"] = 1
    response = VoiceResponse()
    say_emergency_first(response, emergency_first)
    gather = Gather(num_digits=1, action=action_url("triage", **params), method="POST",
                    timeout=GATHER_TIMEOUT_SECONDS, action_on_empty_result=True)
    add_prompt(gather, f"voice.ask_{question}", language)
    response.append(gather)
    return response


@dataclass(frozen=True)
class Caller:
    """Who is calling, from Twilio's fields: the number (None when hidden) and the call's id."""

    number: str | None
    call_sid: str

    @classmethod
    def from_form(cls, form: dict[str, str]) -> "Caller":
        """A hidden caller id ("anonymous", "client:…") gives no number to call back."""
        number = form.get("From", "")
        return cls(number=number if number.startswith("+") else None, call_sid=form.get("CallSid", ""))

    @property
    def user_key(self) -> str:
        """The raw id behind the conversation id: the number, or the call itself when it is hidden."""
        return self.number or f"call:{self.call_sid}"


def answer_triage(session: Session, caller: Caller, language: str, answers: str, digits: str,
                  retry: bool, now: datetime | None = None) -> VoiceResponse:
    """Record one answer; an emergency stops the questions. After the last one the case is created."""
    if language not in SUPPORTED_LANGUAGES or len(answers) >= len(TRIAGE_QUESTIONS):
        return language_menu()
    if digits not in (YES, NO):
        if not retry:
            # Nothing pressed: the caller may be unable to answer; the emergency numbers come first.
            return triage_question(language, answers, retry=True, emergency_first=() if digits else (language,))
        digits = NO  # asked twice without an answer: the caller did not say yes
    answers += digits
    emergency = answers[0] == YES
    if not emergency and len(answers) < len(TRIAGE_QUESTIONS):
        return triage_question(language, answers)
    response = VoiceResponse()
    if emergency:
        add_prompt(response, EMERGENCY_NUMBERS_RESPONSE, language)
    case = create_voice_case(session, caller, language, answers)
    return route_call(response, case, language, now, numbers_said=emergency)


def create_voice_case(session: Session, caller: Caller, language: str, answers: str) -> Case:
    """The call becomes a case (once per call), to be called back on the caller's number."""
    flags = {question: answers[i:i + 1] == YES for i, question in enumerate(TRIAGE_QUESTIONS)}
    conversation_id = remember_identity(session, CHANNEL, caller.user_key)
    session.commit()
    # Calling the hotline and answering its questions is the request to be put in touch with a person.
    referral = ReferralIn(conversation_id=conversation_id, channel=CHANNEL, language=language, consent=True,
                          triage=TriageIn(**flags), contact="callback", callback_number=caller.number)
    case, created = create_case_from_referral(session, referral, idempotency_key=f"voice:{caller.call_sid}")
    log_event(logger, "voice_case_created" if created else "voice_case_replayed", case_id=case.id,
              triage_level=case.triage_level, language=language)
    return case


def route_call(response: VoiceResponse, case: Case, language: str, now: datetime | None = None,
               numbers_said: bool = False) -> VoiceResponse:
    """Into the hotline queue while it is open; otherwise (or hours unknown) offer to leave a message."""
    settings = get_settings()
    is_open = hotline_open(settings.hotline_hours, settings.hotline_timezone, now or datetime.now(timezone.utc))
    if not is_open:
        reason = "closed" if is_open is False else "hours_unknown"
        return leave_message(response, case, language, reason=reason, numbers_said=numbers_said)
    state: dict[str, str | int] = {"lang": language, "case": case.id}
    enqueue = Enqueue(action=action_url("queue-result", **state), method="POST",
                      wait_url=action_url("wait", lang=language), wait_url_method="POST",
                      workflow_sid=settings.twilio_voice_workflow_sid or None,
                      name=None if settings.twilio_voice_workflow_sid else
                      f"{settings.twilio_voice_queue_prefix}-{case.triage_level}")
    if settings.twilio_voice_workflow_sid:
        # TaskRouter orders waiting calls by the case's triage priority.
        attributes = {"case_id": case.id, "triage_level": case.triage_level, "language": language}
        enqueue.task(json.dumps(attributes), priority=case.base_priority)
    response.append(enqueue)
    return response


# Why nobody answers now, said after the emergency line and before the voice message.
NO_ONE_NOW_PROMPTS = {"closed": "voice.closed_hours", "hours_unknown": "voice.hours_unknown", "busy": None}


def leave_message(response: VoiceResponse, case: Case, language: str, reason: str,
                  numbers_said: bool = False) -> VoiceResponse:
    """The emergency line first, then why nobody answers (closed, hours unknown), then record a message.

    `reason` is a key of NO_ONE_NOW_PROMPTS; "busy" (nobody free) needs no explanation beyond the
    voice message prompt itself. An operator calls back.
    """
    if not numbers_said:
        add_prompt(response, EMERGENCY_FIRST, language)
    explanation = NO_ONE_NOW_PROMPTS[reason]
    if explanation:
        add_prompt(response, explanation, language)
    add_prompt(response, "voice.leave_message", language)
    response.record(action=action_url("recorded", lang=language, case=case.id), method="POST",
                    max_length=get_settings().voice_max_recording_seconds, finish_on_key="#", play_beep=True)
    response.hangup()  # reached only when nothing was recorded
    return response


def waiting_music(language: str, seconds_waited: int) -> VoiceResponse:
    """What a queued caller hears; past the longest wait they leave the queue to record a message."""
    response = VoiceResponse()
    if seconds_waited >= get_settings().voice_max_wait_seconds:
        response.leave()
        return response
    add_prompt(response, "voice.enqueued_waiting", language)
    response.pause(length=WAIT_PAUSE_SECONDS)
    return response


def after_queue(session: Session, case_id: int, language: str, queue_result: str) -> VoiceResponse:
    """When the caller leaves the queue: done if an operator took the call, else a voice message."""
    response = VoiceResponse()
    case = session.get(Case, case_id)
    if queue_result in QUEUE_RESULTS_CONNECTED or case is None:
        response.hangup()
        return response
    return leave_message(response, case, language, reason="busy")


def store_recording(session: Session, case_id: int, language: str, recording_url: str) -> VoiceResponse:
    """Attach the caller's recorded message to the case, thank them and hang up."""
    case = session.get(Case, case_id)
    if case is not None and recording_url:
        record_person_message(session, case, "", media_url=recording_url, media_type="audio/wav")
        session.commit()
        log_event(logger, "voice_message_recorded", case_id=case.id)
    response = VoiceResponse()
    add_prompt(response, "voice.message_recorded", language)
    response.hangup()
    return response
