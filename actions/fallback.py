"""Misunderstandings: counts the person's consecutive unrecognised messages, the menu first, then a person.

A message is misunderstood when the NLU was unsure (`nlu_fallback`) or when it was understood
but nothing in the dialogue fits it (Rasa's core fallback, e.g. a "yes" to no question). Both
count towards the same "two in a row → offer a person".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"
MISUNDERSTANDING_ACTIONS = frozenset({"action_handle_misunderstanding", "action_default_fallback"})
# Actions Rasa runs after every message before the dialogue answers; they say nothing about it.
BOOKKEEPING_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_validate_slot_mappings"})
# From the second misunderstanding in a row, a person is offered instead of the menu again.
OFFER_HUMAN_AFTER = 2


def _turns(tracker: Tracker) -> list[tuple[str | None, str | None]]:
    """Each of the person's messages as (intent, first action the assistant answered it with)."""
    turns: list[tuple[str | None, str | None]] = []
    for event in tracker.events_after_latest_restart():
        if event.get("event") == "user":
            turns.append((((event.get("parse_data") or {}).get("intent") or {}).get("name"), None))
        elif (event.get("event") == "action" and turns and turns[-1][1] is None
              and event.get("name") not in BOOKKEEPING_ACTIONS):
            turns[-1] = (turns[-1][0], event.get("name"))
    return turns


def consecutive_misunderstandings(tracker: Tracker) -> int:
    """How many of the person's latest messages in a row were misunderstood, the current one included.

    The current message is being answered by a misunderstanding action, so it counts.
    """
    turns = _turns(tracker)
    if not turns:
        return 0
    count = 1
    for intent, answered_by in reversed(turns[:-1]):
        if intent != FALLBACK_INTENT and answered_by not in MISUNDERSTANDING_ACTIONS:
            break
        count += 1
    return count


def misunderstanding_slots(count: int) -> list[EventType]:
    return [SlotSet("misunderstandings", float(count)), SlotSet("misunderstood_twice", count >= OFFER_HUMAN_AFTER)]


class ActionHandleMisunderstanding(Action):
    """Sets `misunderstandings` and `misunderstood_twice`; the rules then show the menu or offer a person."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return misunderstanding_slots(consecutive_misunderstandings(tracker))


class ActionDefaultFallback(Action):
    """Rasa's core fallback, replaced: the menu, or from the second misunderstanding in a row a person.

    The answer runs as a follow-up action (not a message from here), so the rule "offered a
    person + yes → escalation" sees `utter_offer_human` in the conversation.
    """

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        count = consecutive_misunderstandings(tracker)
        answer = "utter_offer_human" if count >= OFFER_HUMAN_AFTER else "utter_default"
        return [*misunderstanding_slots(count), FollowupAction(answer)]
