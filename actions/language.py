"""The conversation language: `action_validate_slot_mappings` fills the `language` slot; first contact offers a choice."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from sante_contract import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES"]  # the NLU contract's codes, shared with the backend
# Below this the detector is guessing (short or mixed messages): the conversation keeps its language.
MIN_CONFIDENCE = 0.6
NOT_UNDERSTOOD = "nlu_fallback"
# Intents whose message never switches an ongoing conversation's language: not understood ("azerty uiop"),
# and out of scope (keyboard mashes such as "asdfgh", "qwerty" are out-of-scope training examples of one
# language, and the detector learnt them as that language with confidence).
KEEP_THE_LANGUAGE = frozenset({NOT_UNDERSTOOD, "out_of_scope"})
_LETTER = re.compile(r"[^\W\d_]")


def chosen_language(tracker: Tracker) -> str | None:
    """The language the person picked with a button (`/choose_language{"language": "ar"}`)."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "choose_language":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in LANGUAGES:
            return str(entity["value"])
    return None


def detected_language(latest_message: dict[str, Any], best_guess: bool = False) -> str | None:
    """The detected code of a message when the detector is sure enough (or any code for a best guess)."""
    detected = latest_message.get("language")
    if not isinstance(detected, dict):
        return None
    code = detected.get("code")
    if code not in LANGUAGES:
        return None
    if best_guess:
        return str(code)
    confidence = detected.get("confidence")
    if detected.get("ambiguous") or not isinstance(confidence, (int, float)):
        return None
    return str(code) if confidence >= MIN_CONFIDENCE else None


def understood(latest_message: dict[str, Any]) -> bool:
    """The NLU recognised what the message means (its language then says something too)."""
    return (latest_message.get("intent") or {}).get("name") != NOT_UNDERSTOOD


def first_guess(latest_message: dict[str, Any]) -> str | None:
    """The language of a conversation's first message when nothing is known yet.

    The detector's best guess for an understood message with letters ("salut", "hi"); French, the
    lingua franca, for digits, emojis or gibberish, where the detector's answer is noise; nothing
    for a button payload, which the detector does not see.
    """
    if not isinstance(latest_message.get("language"), dict):
        return None
    if understood(latest_message) and _LETTER.search(latest_message.get("text") or ""):
        return detected_language(latest_message, best_guess=True) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def language_known_before_this_message(tracker: Tracker) -> bool:
    """Whether the conversation had a language before the latest message.

    Set by an earlier message, by a gateway (Telegram `/start ar`), or carried over from an
    earlier session: the slot event comes before the latest user event.
    """
    events = tracker.events_after_latest_restart()
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    before = events[:users[-1]] if users else events
    return any(e.get("event") == "slot" and e.get("name") == "language" and e.get("value") for e in before)


def language_unsure_at_first_contact(tracker: Tracker) -> bool:
    """A first message that does not tell the language ("salam", "hi", "ok", an emoji), none chosen."""
    if language_known_before_this_message(tracker) or chosen_language(tracker):
        return False
    return detected_language(tracker.latest_message) is None or not understood(tracker.latest_message)


class ValidateSlotMappings(ValidationAction):
    """Fills the global custom slots after every message (only `language` today)."""

    async def extract_language(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: dict[str, Any]) -> dict[str, Any]:
        """A chosen language wins; else a confident detection of an understood message; else it stays.

        A message that was not understood never changes the language ("azerty uiop" is not
        English), nor does an out-of-scope one ("asdfgh" is not French), nor an ambiguous or
        low-confidence one ("ok", "2", an emoji). A conversation without a language yet takes a
        first guess (see `first_guess`).
        """
        current = tracker.get_slot("language")
        language = chosen_language(tracker)
        if language is None and not current:
            language = first_guess(tracker.latest_message)
        elif language is None and (tracker.latest_message.get("intent") or {}).get("name") not in KEEP_THE_LANGUAGE:
            language = detected_language(tracker.latest_message)
        if language is None or language == current:
            return {}
        return {"language": language}


class ActionGreet(Action):
    """The greeting; at first contact in an unsure language, the greeting with the language choice.

    Each language is named in its own language and script on a button, so a person who does
    not read the guessed language still finds theirs in one tap.
    """

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        unsure = language_unsure_at_first_contact(tracker)
        dispatcher.utter_message(response="utter_greet_choose_language" if unsure else "utter_greet")
        return []
