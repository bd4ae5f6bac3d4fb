"""The conversation language: what `extract_language` takes from each message and what it keeps."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionGreet, ValidateSlotMappings
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


async def test_a_message_not_understood_never_changes_the_language(domain: dict[str, Any]) -> None:
    # "azerty uiop" once read as confident English: not understood, it says nothing about the language.
    message = user_event("nlu_fallback", "azerty uiop",
                         language={"code": "en", "confidence": 0.9, "ambiguous": False})
    assert await language_events(domain, "fr", message) == []


async def test_an_out_of_scope_message_never_changes_the_language(domain: dict[str, Any]) -> None:
    # "asdfgh" is an out-of-scope training example in French: an English conversation got French answers.
    for text, code in (("asdfgh", "fr"), ("qwerty", "en"), ("quel temps fait-il a Rabat", "fr")):
        message = user_event("out_of_scope", text, language={"code": code, "confidence": 0.9, "ambiguous": False})
        assert await language_events(domain, "ar", message) == [], text


async def test_a_first_out_of_scope_message_still_gives_its_language(domain: dict[str, Any]) -> None:
    message = user_event("out_of_scope", "what is the weather in Rabat",
                         language={"code": "en", "confidence": 0.9, "ambiguous": False})
    assert await language_events(domain, None, message) == [SlotSet("language", "en")]


async def test_a_first_message_of_digits_or_emoji_starts_in_french(domain: dict[str, Any]) -> None:
    for text, intent in (("2", "affirm"), ("\N{GRINNING FACE}", "nlu_fallback"), ("qsdf", "nlu_fallback")):
        message = user_event(intent, text, language={"code": "en", "confidence": 0.3, "ambiguous": True})
        assert await language_events(domain, None, message) == [SlotSet("language", "fr")], text


async def greeting(history: list[dict[str, Any]], slots: dict[str, Any] | None = None) -> list[str]:
    dispatcher = CollectingDispatcher()
    await ActionGreet().run(dispatcher, make_tracker(slots=slots, history=history), {})
    return [m["response"] for m in dispatcher.messages]


AMBIGUOUS = {"code": "fr", "confidence": 0.3, "ambiguous": True}


async def test_an_unsure_first_message_is_greeted_with_the_language_choice() -> None:
    for text, intent in (("salam", "greet"), ("hi", "greet"), ("ok", "affirm"), ("\N{GRINNING FACE}", "nlu_fallback")):
        history = [{"event": "action", "name": "action_listen"}, user_event(intent, text, language=AMBIGUOUS),
                   {"event": "slot", "name": "language", "value": "fr"}]
        assert await greeting(history) == ["utter_greet_choose_language"], text


async def test_a_confident_first_message_is_greeted_without_the_choice() -> None:
    history = [user_event("greet", "bonjour tout le monde", language={"code": "fr", "confidence": 0.93,
                                                                      "ambiguous": False})]
    assert await greeting(history) == ["utter_greet"]


async def test_a_language_known_before_the_message_needs_no_choice() -> None:
    # Telegram's /start ar sets the slot before the greeting; a later "salam" is no first contact either.
    history = [{"event": "slot", "name": "language", "value": "ar"}, user_event("greet", "/greet")]
    assert await greeting(history, {"language": "ar"}) == ["utter_greet"]
