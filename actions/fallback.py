"""Misunderstandings: counts the person's consecutive unrecognised messages."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"
# From the second misunderstanding in a row, a person is offered instead of the menu again.
OFFER_HUMAN_AFTER = 2


def consecutive_misunderstandings(tracker: Tracker) -> int:
    """How many of the person's latest messages in a row the assistant did not understand."""
    count = 0
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionHandleMisunderstanding(Action):
    """Sets `misunderstandings` and `misunderstood_twice`; the rules then show the menu or offer a person."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        count = consecutive_misunderstandings(tracker)
        return [SlotSet("misunderstandings", float(count)),
                SlotSet("misunderstood_twice", count >= OFFER_HUMAN_AFTER)]
