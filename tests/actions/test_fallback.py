"""Misunderstandings: the menu first, a person from the second one in a row."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleMisunderstanding
from tests.actions.conftest import make_tracker, user_event


async def flags(history: list[dict]) -> list:
    return await ActionHandleMisunderstanding().run(CollectingDispatcher(), make_tracker(history=history), {})


async def test_a_first_misunderstanding_does_not_offer_a_person() -> None:
    history = [user_event("greet", "salut"), user_event("nlu_fallback", "xyz")]
    assert await flags(history) == [SlotSet("misunderstandings", 1.0), SlotSet("misunderstood_twice", False)]


async def test_a_second_misunderstanding_in_a_row_offers_a_person() -> None:
    history = [user_event("nlu_fallback", "xyz"), {"event": "bot", "text": None},
               user_event("nlu_fallback", "zzz")]
    assert await flags(history) == [SlotSet("misunderstandings", 2.0), SlotSet("misunderstood_twice", True)]


async def test_an_understood_message_in_between_starts_the_count_again() -> None:
    history = [user_event("nlu_fallback", "xyz"), user_event("thank", "merci"), user_event("nlu_fallback", "zzz")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", False)
