"""Misunderstandings: the menu first, a person from the second one in a row, then in turn; the core fallback reverts."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback, ActionHandleMisunderstanding
from tests.actions.conftest import make_tracker, user_event


async def flags(history: list[dict]) -> list:
    return await ActionHandleMisunderstanding().run(CollectingDispatcher(), make_tracker(history=history), {})


def answered_by(name: str) -> dict:
    return {"event": "action", "name": name}


async def test_a_first_misunderstanding_does_not_offer_a_person() -> None:
    history = [user_event("greet", "salut"), user_event("nlu_fallback", "xyz")]
    assert await flags(history) == [SlotSet("misunderstandings", 1.0), SlotSet("misunderstood_twice", False)]


async def test_a_second_misunderstanding_in_a_row_offers_a_person() -> None:
    history = [user_event("nlu_fallback", "xyz"), {"event": "bot", "text": None},
               user_event("nlu_fallback", "zzz")]
    assert await flags(history) == [SlotSet("misunderstandings", 2.0), SlotSet("misunderstood_twice", True)]


async def test_a_third_misunderstanding_shows_the_menu_again_and_the_fourth_offers_a_person() -> None:
    # The same answer three times in a row reads as a broken bot: menu and offer alternate.
    history = [user_event("nlu_fallback", "a"), answered_by("action_handle_misunderstanding"),
               user_event("affirm", "oui"), answered_by("action_handle_misunderstanding"),
               user_event("nlu_fallback", "c")]
    assert await flags(history) == [SlotSet("misunderstandings", 3.0), SlotSet("misunderstood_twice", False)]
    history += [answered_by("action_handle_misunderstanding"), user_event("deny", "non")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", True)


async def test_an_understood_message_in_between_starts_the_count_again() -> None:
    history = [user_event("nlu_fallback", "xyz"), user_event("thank", "merci"), user_event("nlu_fallback", "zzz")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", False)


async def test_a_first_message_answered_with_the_greeting_does_not_count() -> None:
    history = [user_event("nlu_fallback", "\N{GRINNING FACE}"), answered_by("action_greet"),
               user_event("nlu_fallback", "zzz")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", False)


async def test_the_core_fallback_says_the_menu_and_reverts_the_message_without_a_follow_up() -> None:
    history = [user_event("greet", "salut"), answered_by("action_greet"), answered_by("action_listen"),
               user_event("choose_contact_mode", "/choose_contact_mode")]
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultFallback().run(dispatcher, make_tracker(history=history), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]
    assert UserUtteranceReverted() in events
    assert not [e for e in events if e == FollowupAction("utter_default") or e.get("event") == "followup"]


async def test_a_reverted_core_fallback_still_counts_and_the_next_one_says_something_else() -> None:
    # The first core fallback was reverted: its events stay in the tracker and count.
    history = [user_event("choose_contact_mode", "/x"), answered_by("action_default_fallback"),
               {"event": "bot", "text": "…"}, {"event": "rewind"},
               user_event("choose_contact_mode", "/y")]
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultFallback().run(dispatcher, make_tracker(history=history), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_help_menu"]
    assert events == [UserUtteranceReverted(), SlotSet("misunderstandings", 2.0)]


async def test_a_core_fallback_before_an_unsure_message_counts_too() -> None:
    history = [user_event("deny", "non"), answered_by("action_default_fallback"), answered_by("utter_default"),
               user_event("nlu_fallback", "zzz")]
    assert (await flags(history))[1] == SlotSet("misunderstood_twice", True)
