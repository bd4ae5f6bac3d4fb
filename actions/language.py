"""The conversation language: `action_validate_slot_mappings` fills the `language` slot."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

# The codes of the NLU contract (/work/shared/contract/nlu.md).
LANGUAGES = ("fr", "en", "ar", "ary", "wo", "ln", "ff", "emk", "sus", "bci")
# Below this the detector is guessing (short or mixed messages): the conversation keeps its language.
MIN_CONFIDENCE = 0.6


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


class ValidateSlotMappings(ValidationAction):
    """Fills the global custom slots after every message (only `language` today)."""

    async def extract_language(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: dict[str, Any]) -> dict[str, Any]:
        """A chosen language wins; else a confident detection; else the conversation keeps its own.

        A conversation without a language yet takes the detector's best guess even for a short
        "bonjour": answering in a likely language beats answering in the default one.
        """
        unset = not tracker.get_slot("language")
        language = chosen_language(tracker) or detected_language(tracker.latest_message, best_guess=unset)
        if language is None or language == tracker.get_slot("language"):
            return {}
        return {"language": language}
