"""The NLG request carries what the API's /nlg reads (slots, the latest message), not the event history."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from botserver import nlg_request

ROOT = Path(__file__).resolve().parents[2]


def tracker() -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"}),
              SlotSet("language", "ar"), SlotSet("city", "Oujda")]
    events += [UserUttered(f"message {n}", {"name": "greet"}) for n in range(50)]
    return DialogueStateTracker.from_events("web-x", events)


def test_the_body_has_the_slots_and_latest_message_but_no_events() -> None:
    body = nlg_request.lean_request_format("utter_greet", tracker(), "rest", response_id=None, city="Rabat")
    assert body["response"] == "utter_greet" and body["channel"] == {"name": "rest"}
    assert body["arguments"] == {"city": "Rabat"}
    state = body["tracker"]
    assert state["slots"]["language"] == "ar" and state["slots"]["city"] == "Oujda"
    assert state["latest_message"]["text"] == "message 49"
    assert not state.get("events")


def test_it_differs_from_rasas_only_by_the_events() -> None:
    made = tracker()
    ours = nlg_request.lean_request_format("utter_greet", made, "rest", response_id="r1")
    theirs = nlg_request.original_request_format("utter_greet", made, "rest", response_id="r1")
    assert len(theirs["tracker"]["events"]) > 50
    assert {k: v for k, v in theirs["tracker"].items() if k != "events"} == \
        {k: v for k, v in ours["tracker"].items() if k != "events"}
    assert {k: v for k, v in theirs.items() if k != "tracker"} == {k: v for k, v in ours.items() if k != "tracker"}

