"""`action_validate_slot_mappings` runs in the Rasa process and answers as the action server does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionExecutionRejection, ActionExtractSlots, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import SlotSet
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

from actions.language import ValidateSlotMappings
from botserver import inline_actions, lean_slot_validation
from tests.botserver.test_lean_slot_validation import DOMAIN, MESSAGES, decided, tracker_for

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: an answer proves the call never left the process.
NOWHERE = EndpointConfig("http://127.0.0.1:1/webhook", headers={"Authorization": "Bearer x"})
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


@pytest.fixture
def installed() -> Iterator[None]:
    lean_slot_validation.install()
    inline_actions.install()
    try:
        yield
    finally:
        RemoteAction.__init__ = inline_actions.original_init  # type: ignore[method-assign]
        RemoteAction._action_call_format = lean_slot_validation.original_action_call_format  # type: ignore[method-assign]


def slots(events: list[Any]) -> list[tuple[str, Any]]:
    return [(event.key, event.value) for event in events if isinstance(event, SlotSet)]


@pytest.mark.parametrize("name", sorted(MESSAGES))
async def test_rasa_gets_the_action_servers_answer_without_a_request(installed: None, name: str) -> None:
    tracker = tracker_for(MESSAGES[name], [])
    action = RemoteAction("action_validate_slot_mappings", NOWHERE)
    events = await action.run(CollectingOutputChannel(), NLG, tracker, DOMAIN)
    # What the action server answers to the same body, over HTTP (test_lean_slot_validation.py).
    served = await decided(lean_slot_validation.lean_action_call_format(action, tracker, DOMAIN))
    assert slots(events) == [(e["name"], e["value"]) for e in served if e.get("event") == "slot"]


async def test_the_slots_rasa_extracts_after_a_message_come_from_it(installed: None) -> None:
    """Rasa's own slot extraction, as after every message: a confident English question sets `language`."""
    tracker = tracker_for(MESSAGES["a confident switch"], [])
    events = await ActionExtractSlots(NOWHERE).run(CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert ("language", "en") in slots(events)


async def test_the_answers_differ_so_the_comparison_says_something(installed: None) -> None:
    answers = []
    for name in sorted(MESSAGES):
        action = RemoteAction("action_validate_slot_mappings", NOWHERE)
        answers.append(slots(await action.run(CollectingOutputChannel(), NLG, tracker_for(MESSAGES[name], []),
                                              DOMAIN)))
    assert answers == [[("language", "en")], [("language", "wo")], [], []]


def test_every_other_custom_action_still_goes_to_the_action_server(installed: None) -> None:
    assert RemoteAction("action_greet", NOWHERE).action_endpoint is NOWHERE
    inline = RemoteAction("action_validate_slot_mappings", NOWHERE).action_endpoint
    assert isinstance(inline, inline_actions.InProcessEndpoint)
    assert (inline.url, inline.headers, inline.kwargs) == (NOWHERE.url, NOWHERE.headers, NOWHERE.kwargs)


async def test_an_error_is_raised_as_rasa_raises_an_action_servers(installed: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = tracker_for(MESSAGES["a confident switch"], [])

    async def rejects(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> Any:
        raise SdkRejection("action_validate_slot_mappings", "not now")

    async def breaks(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> Any:
        raise KeyError("language")

    action = RemoteAction("action_validate_slot_mappings", NOWHERE)
    monkeypatch.setattr(ValidateSlotMappings, "run", rejects)
    monkeypatch.setattr(inline_actions, "_executor", None)
    with pytest.raises(ActionExecutionRejection):
        await action.run(CollectingOutputChannel(), NLG, tracker, DOMAIN)
    monkeypatch.setattr(ValidateSlotMappings, "run", breaks)
    monkeypatch.setattr(inline_actions, "_executor", None)
    with pytest.raises(RasaException, match="in the Rasa process"):
        await action.run(CollectingOutputChannel(), NLG, tracker, DOMAIN)
    # Rasa's slot extraction logs it and goes on without the action's slots, as when the action server fails.
    events = await ActionExtractSlots(NOWHERE).run(CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert "language" not in dict(slots(events))

