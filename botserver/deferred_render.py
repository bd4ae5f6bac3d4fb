"""Rasa's natural-language generator: every response is left for the API to render, with no call back.

With Rasa's callback generator every uttered response was one more HTTP request from Rasa to
the API's `/nlg` while the person's own request to the API was still waiting for Rasa: two
or three requests into the API per turn, each paying its request path (about 4 ms of the API's
CPU and 2 of Rasa's per response, py-spy under load). This generator answers at once with a
`custom` message `{"render": request}` (sante_contract/rendering.py) carrying what a render
reads: the response's name, the arguments an action gave, the slots of `RENDER_SLOTS`, the
latest message's detected language and the active form. Rasa's REST channel hands it back in
the turn's reply, and the gateway renders it from the catalogs on the way out
(api/gateways/responses.py), so an edited catalog still reaches the very next reply.

bot/endpoints.yml selects it (`nlg: type:`); `RASA_NLG_TYPE=callback` brings back Rasa's
callback to `NLG_URL`, for Rasa's own tools (`rasa shell`) that show texts without the gateway.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from sante_contract.rendering import MESSAGE_KEYS, RENDER_KEY, RENDER_SLOTS


def render_request(response: Text, tracker: DialogueStateTracker, output_channel: Text,
                   arguments: Dict[Text, Any]) -> Dict[Text, Any]:
    """What the API needs to render `response` for this conversation (the shape of Rasa's NLG body)."""
    slots = {name: tracker.get_slot(name) for name in RENDER_SLOTS if name in tracker.slots}
    latest = tracker.latest_message.parse_data if tracker.latest_message is not None else {}
    state: Dict[Text, Any] = {"slots": slots, "latest_message": {"language": latest.get("language")},
                              "active_loop": {"name": tracker.active_loop_name}}
    given = {name: value for name, value in arguments.items() if name not in MESSAGE_KEYS and value is not None}
    return {"response": response, "arguments": given, "tracker": state, "channel": {"name": output_channel}}


class DeferredRender(NaturalLanguageGenerator):
    """Answers every response with the request to render it (`{"custom": {"render": ...}}`)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        self.endpoint_config = endpoint_config

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        return {"custom": {RENDER_KEY: render_request(utter_action, tracker, output_channel, kwargs)}}
