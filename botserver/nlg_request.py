"""A lighter request to the NLG endpoint: the tracker's state without its whole event history.

Rasa 3.6 posts, for every response it utters, `tracker.current_state(EventVerbosity.ALL)`: every
event of the conversation, so each NLG call serialises (twice: once more for a debug log line
built even when debug logging is off) and sends a body that grows with the conversation, and the
API parses it. The API's `/nlg` (api/routes/nlg.py) reads only the slots and the latest message's
language. `install()` (called by `python -m botserver`) makes Rasa send the state without the
events (`EventVerbosity.NONE`: sender, slots, latest message, active loop, latest action); the
rendering itself still happens in the API on every call, so an edited catalog reaches the very
next reply.
"""

from __future__ import annotations

from typing import Any, Dict, Text

import rasa.core.nlg.callback as callback
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

original_request_format = callback.nlg_request_format


def lean_request_format(utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                        **kwargs: Any) -> Dict[Text, Any]:
    """Rasa's NLG request body with `tracker` holding the current state and no events."""
    response_id = kwargs.pop("response_id", None)
    return {"response": utter_action, "id": response_id, "arguments": kwargs,
            "tracker": tracker.current_state(EventVerbosity.NONE), "channel": {"name": output_channel}}


def install() -> None:
    """Make this process's Rasa send the lean body (`generate` looks the function up on every call)."""
    callback.nlg_request_format = lean_request_format
