"""Rasa's REST channel behind a shared secret (credentials.yml names `botserver.channel.PrivateRestInput`).

`rasa run --auth-token` protects Rasa's HTTP API but not the channels' webhooks: anyone on the
host could post to `/webhooks/rest/webhook` as any conversation id and read the replies. This
channel is Rasa's own `RestInput` (same URL, same JSON) whose routes answer 401 unless the
request carries `Authorization: Bearer $RASA_AUTH_TOKEN`, the token the API's gateway sends.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from actions.config import DEV_RASA_AUTH_TOKEN, require_strong_secrets

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"


def channel_token() -> str:
    """The shared secret from the environment (refused if weak outside development mode)."""
    token = os.environ.get(TOKEN_VARIABLE, DEV_RASA_AUTH_TOKEN)
    require_strong_secrets({TOKEN_VARIABLE: token}, "Rasa's REST channel")
    return token


def authorised(request: Request, token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>` (constant-time comparison)."""
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(sent) and hmac.compare_digest(sent.encode(), token.encode())


class PrivateRestInput(RestInput):
    """`RestInput` whose webhook and health routes need the shared secret."""

    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PrivateRestInput":
        return cls(channel_token())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint: Blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def require_secret(request: Request) -> Optional[response.HTTPResponse]:
            if not authorised(request, self.token):
                return response.json({"error": "unauthorized"}, status=401)
            return None

        return blueprint
