"""The conversation language: what `extract_language` takes from each message and what it keeps."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings
from tests.actions.conftest import make_tracker, user_event


async def language_events(domain: dict[str, Any], current: str | None, message: dict[str, Any]) -> list[Any]:
    tracker = make_tracker(slots={"language": current}, history=[message])
    events = await ValidateSlotMappings().run(CollectingDispatcher(), tracker, domain)
    return [e for e in events if e["name"] == "language"]


async def test_a_confident_detection_sets_the_language(domain: dict[str, Any]) -> None:
    message = user_event("greet", "salam labas", language={"code": "ary", "confidence": 0.92, "ambiguous": False})
    assert await language_events(domain, None, message) == [SlotSet("language", "ary")]


async def test_an_ambiguous_message_keeps_the_conversation_language(domain: dict[str, Any]) -> None:
    message = user_event("affirm", "ok", language={"code": "en", "confidence": 0.95, "ambiguous": True})
    assert await language_events(domain, "ar", message) == []


async def test_a_low_confidence_detection_keeps_the_conversation_language(domain: dict[str, Any]) -> None:
    message = user_event("greet", "bonjour hello", language={"code": "en", "confidence": 0.55, "ambiguous": False})
    assert await language_events(domain, "fr", message) == []


async def test_a_confident_switch_to_another_language_is_followed(domain: dict[str, Any]) -> None:
    message = user_event("rights_free_care", "is treatment free for migrants?",
                         language={"code": "en", "confidence": 0.97, "ambiguous": False})
    assert await language_events(domain, "fr", message) == [SlotSet("language", "en")]


async def test_a_language_button_wins_over_detection(domain: dict[str, Any]) -> None:
    message = user_event("choose_language", '/choose_language{"language": "wo"}',
                         entities=[{"entity": "language", "value": "wo"}])
    assert await language_events(domain, "fr", message) == [SlotSet("language", "wo")]


async def test_an_unknown_language_code_is_ignored(domain: dict[str, Any]) -> None:
    button = user_event("choose_language", "", entities=[{"entity": "language", "value": "xx"}])
    detected = user_event("greet", "hallo", language={"code": "de", "confidence": 0.99, "ambiguous": False})
    assert await language_events(domain, "fr", button) == []
    assert await language_events(domain, "fr", detected) == []


async def test_a_message_without_detection_keeps_the_unset_language(domain: dict[str, Any]) -> None:
    assert await language_events(domain, None, user_event("affirm", "/affirm")) == []


async def test_a_first_short_message_sets_the_best_guess(domain: dict[str, Any]) -> None:
    message = user_event("greet", "bonjour", language={"code": "fr", "confidence": 0.3, "ambiguous": True})
    assert await language_events(domain, None, message) == [SlotSet("language", "fr")]
