"""The person's right to be forgotten: erase their cases at the backend, then restart the conversation."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.config import get_settings
from actions.http_client import backend_client

logger = logging.getLogger(__name__)


async def erase_person(conversation_id: str) -> bool:
    """Ask the backend to erase what it holds about this conversation; True when it did."""
    settings = get_settings()
    url = f"{settings.api_url}/api/v1/persons/{quote(conversation_id, safe='')}/erase"
    try:
        response = await backend_client().post(url, headers={"Authorization": f"Bearer {settings.service_token}"})
    except httpx.HTTPError as exc:
        logger.error("erase_failed error=%s", type(exc).__name__)
        return False
    if response.status_code >= 300:
        logger.error("erase_failed status=%d", response.status_code)
        return False
    return True


class ActionForgetMe(Action):
    """Erases the person's data at the backend and forgets the conversation's slots and history."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        erased = await erase_person(tracker.sender_id)
        logger.info("forget_me erased_at_backend=%s", erased)
        # Said before the restart: Rasa sends these messages, then starts the conversation afresh.
        # The conversation is forgotten either way; asking again retries the backend erasure.
        dispatcher.utter_message(response="utter_forget_done" if erased else "utter_forget_failed")
        return [Restarted()]
