"""`action_validate_slot_mappings` run inside the Rasa server instead of over HTTP.

Rasa 3.6 calls `action_validate_slot_mappings` after every message; it fills the `language` slot
(actions/language.py, `ValidateSlotMappings`). Each call was an HTTP round trip to the action
server: Rasa encoded the domain and the latest events as JSON, the action server parsed them,
ran a few dictionary lookups and answered. py-spy under load (20 people): about 1.2 ms of Rasa's
10.9 ms of CPU per turn, and as much again in the action server, for an answer that needs no
network, no database and no secret.

`install()` (called by `python -m botserver`) gives every `RemoteAction` named in `INLINE` an
endpoint whose `request` hands the body Rasa built (botserver/lean_slot_validation.py) to a
rasa_sdk `ActionExecutor` in this process: the executor the action server runs, with the same
action class, so the answer is the one the action server gives. The rest is Rasa's own code: it
validates the answer and turns it into events as it does with an HTTP answer. An error is raised
as Rasa raises an action server's: `ActionExecutionRejection` for a rejection (HTTP 400 there),
`RasaException` for anything else (HTTP 500). Rasa handles both the same way as before.

The action server still registers the action, so a plain `rasa run` or `rasa shell` reaches it
over HTTP; every other custom action still runs there.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import ACTION_VALIDATE_SLOT_MAPPINGS
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

from actions.language import ValidateSlotMappings

INLINE: Dict[Text, Type[Action]] = {ACTION_VALIDATE_SLOT_MAPPINGS: ValidateSlotMappings}

original_init = RemoteAction.__init__
_executor: Optional[ActionExecutor] = None


def executor() -> ActionExecutor:
    """The process's executor with the inline actions registered (made on first use)."""
    global _executor
    if _executor is None:
        made = ActionExecutor()
        for action in INLINE.values():
            made.register_action(action)
        _executor = made
    return _executor


class InProcessEndpoint(EndpointConfig):
    """The action endpoint's configuration, with its requests answered by this process's executor."""

    def __init__(self, endpoint: EndpointConfig) -> None:
        super().__init__(endpoint.url, endpoint.params, endpoint.headers, endpoint.basic_auth, endpoint.token,
                         endpoint.token_name, endpoint.cafile, **endpoint.kwargs)

    async def request(self, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Optional[Any]:
        body = kwargs["json"]
        name = body.get("next_action")
        try:
            return await executor().run(body)
        except SdkRejection as rejection:
            raise ActionExecutionRejection(rejection.action_name, rejection.message) from rejection
        except Exception as error:
            raise RasaException(f"Failed to execute custom action '{name}' in the Rasa process") from error


def init_with_inline_endpoint(self: RemoteAction, name: Text, action_endpoint: Optional[EndpointConfig]) -> None:
    """Rasa's `RemoteAction.__init__`; an inline action's endpoint answers in this process."""
    original_init(self, name, action_endpoint)
    if name in INLINE and action_endpoint is not None and not isinstance(action_endpoint, InProcessEndpoint):
        self.action_endpoint = InProcessEndpoint(action_endpoint)


def install() -> None:
    """Make this process's Rasa run the inline actions itself."""
    RemoteAction.__init__ = init_with_inline_endpoint
