"""Misunderstandings: the menu first, a person from the second one in a row."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback, ActionHandleMisunderstanding
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


def answered_by(name: str) -> dict:
    return {"event": "action", "name": name}


async def test_a_message_nothing_in_the_dialogue_fits_counts_as_a_misunderstanding() -> None:
    # "xyz" was not understood, then a "yes" to no question reached Rasa's core fallback.
    history = [user_event("nlu_fallback", "xyz"), answered_by("action_handle_misunderstanding"),
               answered_by("utter_default"), answered_by("action_listen"), user_event("affirm", "oui")]
    events = await ActionDefaultFallback().run(CollectingDispatcher(), make_tracker(history=history), {})
    assert events == [SlotSet("misunderstandings", 2.0), SlotSet("misunderstood_twice", True),
                      FollowupAction("utter_offer_human")]


async def test_a_first_core_fallback_shows_the_menu() -> None:
    history = [user_event("greet", "salut"), answered_by("utter_greet"), answered_by("action_listen"),
               user_event("affirm", "oui")]
    events = await ActionDefaultFallback().run(CollectingDispatcher(), make_tracker(history=history), {})
    assert events[-1] == FollowupAction("utter_default")


async def test_a_core_fallback_before_an_unsure_message_counts_too() -> None:
    history = [user_event("deny", "non"), answered_by("action_default_fallback"), answered_by("utter_default"),
               user_event("nlu_fallback", "zzz")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", True)
