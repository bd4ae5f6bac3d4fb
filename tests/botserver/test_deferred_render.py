"""Rasa leaves each response for the API to render: what its REST channel hands back, and what the tracker keeps."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rasa.core.actions.action import ActionBotResponse, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from botserver.deferred_render import DeferredRender, render_request
from sante_contract.rendering import RENDER_KEY

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  language: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  city: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  requested_slot: {type: categorical, values: [a], influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: unused}]
""")


def tracker(*, form: str | None = None) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"),
              UserUttered("salam", {"name": "greet"}, parse_data={"language": {"code": "ary", "confidence": 0.91}}),
              SlotSet("language", "ary"), SlotSet("city", "Oujda")]
    if form:
        events.append(ActiveLoop(form))
    return DialogueStateTracker.from_events("web-x", events, slots=DOMAIN.slots)


def test_the_request_carries_what_a_render_reads_and_nothing_else() -> None:
    arguments = {"reference": "MS-4K7Q2A", "text": None, "buttons": [], "custom": {}, "template": "utter_x",
                 "response": "utter_x", "image": None, "attachment": None, "empty": None}
    request = render_request("utter_referral_created", tracker(form="escalation_form"), "collector", arguments)
    assert request == {"response": "utter_referral_created", "arguments": {"reference": "MS-4K7Q2A"},
                       "tracker": {"slots": {"language": "ary", "city": "Oujda"},
                                   "latest_message": {"language": {"code": "ary", "confidence": 0.91}},
                                   "active_loop": {"name": "escalation_form"}},
                       "channel": {"name": "collector"}}


def test_rasa_builds_it_from_the_projects_endpoints_file(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoints = (ROOT / "bot" / "endpoints.yml").read_text()
    for name in re.findall(r"\$\{(\w+)\}", endpoints):  # Rasa expands every variable of the file
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("RASA_NLG_TYPE", "botserver.deferred_render.DeferredRender")  # what `make run` sets
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "nlg")
    assert isinstance(NaturalLanguageGenerator.create(config, DOMAIN), DeferredRender)
    monkeypatch.setenv("RASA_NLG_TYPE", "callback")  # Rasa's own callback to NLG_URL, for `rasa shell`
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "nlg")
    assert type(NaturalLanguageGenerator.create(config, DOMAIN)).__name__ == "CallbackNaturalLanguageGenerator"
    assert os.environ["RASA_NLG_TYPE"] == "callback"


async def test_a_response_goes_out_as_a_render_request_and_the_tracker_keeps_its_name_not_a_text() -> None:
    generator = NaturalLanguageGenerator.create(EndpointConfig(type="botserver.deferred_render.DeferredRender"),
                                                DOMAIN)
    channel = CollectingOutputChannel()
    [event] = await ActionBotResponse("utter_greet").run(channel, generator, tracker(), DOMAIN)
    assert isinstance(event, BotUttered) and event.text is None
    assert event.data["custom"][RENDER_KEY]["response"] == "utter_greet"
    await channel.send_response("web-x", event.message())
    [sent] = channel.messages
    assert set(sent) == {"recipient_id", "custom"}
    assert sent["custom"][RENDER_KEY]["tracker"]["slots"]["language"] == "ary"


async def test_an_actions_response_keeps_its_placeholder_values() -> None:
    """What rasa_sdk's `utter_message(response=..., city=..., services=...)` sends back to Rasa."""
    generator = DeferredRender()
    sent = {"text": None, "buttons": [], "elements": [], "custom": {}, "template": "utter_services_list",
            "response": "utter_services_list", "image": None, "attachment": None, "city": "Oujda",
            "services": "1. CHR Al Farabi (hospital), 0.4 km"}
    [event] = await RemoteAction._utter_responses([sent], CollectingOutputChannel(), generator, tracker())
    request = event.data["custom"][RENDER_KEY]
    assert request["response"] == "utter_services_list"
    assert request["arguments"] == {"city": "Oujda", "services": "1. CHR Al Farabi (hospital), 0.4 km"}
