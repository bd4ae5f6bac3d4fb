"""`action_validate_slot_mappings` gets the latest message's events only, and decides exactly as with the history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings
from botserver import lean_slot_validation

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "bot" / "domain.yml"))
ENDPOINT = EndpointConfig("http://127.0.0.1:1/webhook")


def history(turns: int) -> list[Event]:
    """A conversation in French that went on for a while."""
    events: list[Event] = [ActionExecuted("action_listen")]
    for n in range(turns):
        events += [UserUttered(f"question {n}", {"name": "rights_free_care", "confidence": 0.9},
                               parse_data={"language": {"code": "fr", "confidence": 0.95, "ambiguous": False}}),
                   SlotSet("language", "fr"), ActionExecuted("utter_rights_free_care"), BotUttered(None),
                   ActionExecuted("action_listen")]
    return events


def latest(text: str, intent: str, language: dict[str, Any] | None,
           entities: list[dict[str, Any]] | None = None) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    if language is not None:
        parse["language"] = language
    return UserUttered(text, parse["intent"], entities or [], parse_data=parse)


MESSAGES = {
    "a confident switch": latest("is care free?", "rights_free_care", {"code": "en", "confidence": 0.97}),
    "an ambiguous ok": latest("ok", "affirm", {"code": "en", "confidence": 0.3, "ambiguous": True}),
    "gibberish": latest("azerty uiop", "nlu_fallback", {"code": "en", "confidence": 0.9}),
    "a language button": latest('/choose_language{"language": "wo"}', "choose_language", None,
                                [{"entity": "language", "value": "wo"}]),
}


def tracker_for(message: UserUttered, candidates: list[Event]) -> DialogueStateTracker:
    """What Rasa hands the call: the history, the new message, then the slot candidates it extracted."""
    return DialogueStateTracker.from_events("web-lean", [*history(12), message, *candidates], slots=DOMAIN.slots)


async def decided(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What the action server's `action_validate_slot_mappings` answers to this body."""
    tracker = Tracker.from_dict(body["tracker"])
    return await ValidateSlotMappings().run(CollectingDispatcher(), tracker, body["domain"])


@pytest.mark.parametrize("name", sorted(MESSAGES))
async def test_the_lean_body_gets_the_same_answer_as_rasas(name: str) -> None:
    tracker = tracker_for(MESSAGES[name], [SlotSet("city", "Oujda")])
    action = RemoteAction("action_validate_slot_mappings", ENDPOINT)
    theirs = lean_slot_validation.original_action_call_format(action, tracker, DOMAIN)
    ours = lean_slot_validation.lean_action_call_format(action, tracker, DOMAIN)
    assert len(theirs["tracker"]["events"]) > 60
    assert [e["event"] for e in ours["tracker"]["events"]] == ["user", "slot"]
    assert {k: v for k, v in ours["tracker"].items() if k != "events"} == \
        {k: v for k, v in theirs["tracker"].items() if k != "events"}
    assert {k: v for k, v in ours.items() if k != "tracker"} == {k: v for k, v in theirs.items() if k != "tracker"}
    assert await decided(ours) == await decided(theirs)


async def test_the_decisions_differ_between_the_messages() -> None:
    """The comparison above is not vacuous: the four messages give different answers."""
    answers = []
    for name in sorted(MESSAGES):
        tracker = tracker_for(MESSAGES[name], [])
        body = lean_slot_validation.lean_action_call_format(
            RemoteAction("action_validate_slot_mappings", ENDPOINT), tracker, DOMAIN)
        answers.append([(e["name"], e["value"]) for e in await decided(body) if e.get("event") == "slot"])
    assert answers == [[("language", "en")], [("language", "wo")], [], []]


def test_every_other_action_still_gets_the_whole_history() -> None:
    tracker = tracker_for(MESSAGES["an ambiguous ok"], [])
    action = RemoteAction("action_greet", ENDPOINT)
    assert lean_slot_validation.lean_action_call_format(action, tracker, DOMAIN) == \
        lean_slot_validation.original_action_call_format(action, tracker, DOMAIN)

