"""How the gateway proves itself to Rasa: the API's `--auth-token` and the REST channel's bearer token."""

from __future__ import annotations

from api.core.config import get_settings


def rasa_api_params() -> dict[str, str]:
    """Query parameters every call to Rasa's HTTP API carries: its `--auth-token` (botserver/__main__.py)."""
    return {"token": get_settings().rasa_auth_token}


def rasa_channel_headers() -> dict[str, str]:
    """Headers of a message to Rasa's REST channel, which wants the same token (botserver/channel.py)."""
    return {"Authorization": f"Bearer {get_settings().rasa_auth_token}"}
