"""Rasa's call to `action_validate_slot_mappings` without the conversation's whole history.

Rasa 3.6 calls the action server's `action_validate_slot_mappings` after every message (it
fills the `language` slot, actions/language.py) and, like every custom action call, sends the
tracker with every event of the conversation: a body that grows with each turn, serialised by
Rasa and parsed again by the action server on every message (py-spy under load: about a sixth
of Rasa's CPU per turn went into this one call).

That action reads only the slots, the latest message and the slot candidates appended after it
(rasa_sdk's `ValidationAction`: `tracker.get_slot`, `tracker.latest_message`,
`tracker.slots_to_validate()`), so `install()` (called by `python -m botserver`) makes Rasa send
it the tracker's current state with only the events from the latest user message on. Every
other custom action still gets the whole history (greetings and fallbacks count earlier events).
The domain, the slots and everything else of the body are Rasa's own.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import ACTION_VALIDATE_SLOT_MAPPINGS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

original_action_call_format = RemoteAction._action_call_format


def events_from_latest_message(tracker: DialogueStateTracker) -> List[Event]:
    """The tracker's events from its latest user message on (all of them when it has none)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    return events


def lean_action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[Text, Any]:
    """Rasa's action call body; for `action_validate_slot_mappings`, with only the latest message's events."""
    if self.name() != ACTION_VALIDATE_SLOT_MAPPINGS:
        body: Dict[Text, Any] = original_action_call_format(self, tracker, domain)
        return body
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in events_from_latest_message(tracker)]
    body = {"next_action": self.name(), "sender_id": tracker.sender_id, "tracker": state,
            "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        body["domain"] = domain.as_dict()
    return body


def install() -> None:
    """Make this process's Rasa send the lean body to `action_validate_slot_mappings`."""
    RemoteAction._action_call_format = lean_action_call_format
