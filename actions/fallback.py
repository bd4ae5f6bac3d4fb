"""Misunderstandings: counts the person's consecutive unrecognised messages; the menu and a person, in turn.

A message is misunderstood when the NLU was unsure (`nlu_fallback`), when it is a "yes"/"no"/"ok"
to no question (the rules send those here too), or when it was understood but nothing in the
dialogue fits it (Rasa's core fallback). All count towards the same ladder: the first
misunderstanding shows the menu, the second in a row offers a person, the third the menu again,
and so on, so a person who keeps typing something unexpected never gets the same answer three
times in a row, and never an endless one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"
MISUNDERSTANDING_ACTIONS = frozenset({"action_handle_misunderstanding", "action_default_fallback"})
# Actions Rasa runs after every message before the dialogue answers; they say nothing about it.
BOOKKEEPING_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_validate_slot_mappings"})
# Answers that start afresh: a first message not understood is answered with the greeting.
GREETING_ACTIONS = frozenset({"action_greet"})
# Every second misunderstanding in a row offers a person; the others show the menu.
OFFER_HUMAN_EVERY = 2
# What the core fallback says, by the parity of the count: both show the menu with "talk to a person".
CORE_FALLBACK_ANSWERS = ("utter_help_menu", "utter_default")


def _turns(tracker: Tracker) -> list[tuple[str | None, str | None]]:
    """Each of the person's messages as (intent, first action the assistant answered it with).

    `tracker.events` holds reverted turns too (the core fallback reverts its message), so they count.
    """
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
        # An unsure message answered by the form (which asks again) counts; one greeted does not.
        misunderstood = answered_by in MISUNDERSTANDING_ACTIONS or (
            intent == FALLBACK_INTENT and answered_by not in GREETING_ACTIONS)
        if not misunderstood:
            break
        count += 1
    return count


def offers_human(count: int) -> bool:
    """Whether the `count`-th misunderstanding in a row is answered with the offer of a person."""
    return count > 0 and count % OFFER_HUMAN_EVERY == 0


def misunderstanding_slots(count: int) -> list[EventType]:
    return [SlotSet("misunderstandings", float(count)), SlotSet("misunderstood_twice", offers_human(count))]


class ActionHandleMisunderstanding(Action):
    """Sets `misunderstandings` and `misunderstood_twice`; the rules then show the menu or offer a person."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return misunderstanding_slots(consecutive_misunderstandings(tracker))


class ActionDefaultFallback(Action):
    """Rasa's core fallback (nothing in the dialogue fits the message): says the menu, then reverts the message.

    Rasa's own convention: the fallback answers and undoes the message, so the dialogue is back
    where it was before it and simply listens. It never runs a follow-up action: a follow-up
    after which nothing fits either predicts the fallback again, and again, until Rasa's circuit
    breaker stops the turn and leaves the conversation unable to answer anything (the loop this
    replaces). The reverted message still counts as a misunderstanding for the next one.
    """

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        count = consecutive_misunderstandings(tracker)
        dispatcher.utter_message(response=CORE_FALLBACK_ANSWERS[count % 2])
        # Only the unfeaturised count is kept: the dialogue state stays exactly as it was.
        return [UserUtteranceReverted(), SlotSet("misunderstandings", float(count))]
