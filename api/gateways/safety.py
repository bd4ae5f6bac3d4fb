"""What the gateway owes a person whatever the bot does: an answer to every message, the emergency numbers first.

- A bot turn that ends silent, or repeating itself (Rasa's circuit breaker after a loop, a
  failing custom action), is answered with `channel.bot_failed`: the emergency numbers and how
  to reach a person, in the person's language. If Rasa stopped mid-turn without listening, the
  gateway makes it listen again, otherwise every later turn of that conversation would trip the
  breaker at once and the person would never be answered again.
- While an operator holds the case the person's messages go to the operator, not the bot; an
  emergency among them is still recognised (Rasa's `POST /model/parse`, which does not touch the
  conversation), answered with the emergency numbers at once, and flagged to the console.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from api.core.config import get_settings
from api.core.http_client import http_client
from api.core.logging import log_event
from api.gateways.rasa_auth import rasa_api_params
from api.nlg.render import render_response
from api.outbox.messages import BotReply

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
EMERGENCY_NUMBERS = "utter_emergency_numbers"
BOT_FAILED = "channel.bot_failed"
HOTLINE_PHONE = "channel.hotline_phone"
LISTEN = "action_listen"
# Short: the person waits for this answer.
PARSE_TIMEOUT_SECONDS = 5.0


def reply_from_catalog(key: str, language: str, with_hotline: bool = False) -> BotReply:
    """A gateway message from the catalogs, with its buttons; the hotline's number when one is configured."""
    rendered = render_response(key, language, {})
    text = rendered.text
    phone = get_settings().hotline_phone
    if with_hotline and phone:
        text = f"{text}\n{render_response(HOTLINE_PHONE, language, {'phone': phone}).text}"
    return BotReply(text=text, buttons=rendered.buttons,
                    audio=rendered.audio)


def without_repeats(replies: list[BotReply]) -> list[BotReply]:
    """The replies with consecutive identical ones dropped (the signature of a dialogue loop)."""
    kept: list[BotReply] = []
    for reply in replies:
        if not kept or kept[-1] != reply:
            kept.append(reply)
    return kept


async def _rasa(method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
    settings = get_settings()
    try:
        params = {**kwargs.pop("params", {}), **rasa_api_params()}  # Rasa's API wants its token
        response = await http_client().request(method, f"{settings.rasa_url}{path}", params=params,
                                               timeout=PARSE_TIMEOUT_SECONDS, **kwargs)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log_event(logger, "rasa_call_failed", logging.WARNING, path=path.split("/")[1], error=type(exc).__name__)
        return None
    return body if isinstance(body, dict) else None


async def bot_is_up() -> bool:
    """Rasa answers and has a model loaded (so a failure on one message is that message's)."""
    return await _rasa("GET", "/status") is not None


async def is_emergency(text: str) -> bool:
    """Whether the NLU reads the text as an emergency (the conversation itself is left untouched)."""
    if not text.strip():
        return False
    parsed = await _rasa("POST", "/model/parse", json={"text": text})
    return ((parsed or {}).get("intent") or {}).get("name") == EMERGENCY_INTENT


async def settle_turn(conversation_id: str, replies: list[BotReply], language: str | None) -> list[BotReply]:
    """The replies of a bot turn, made sound: never empty, never the same message twice in a row.

    A normal turn is returned as it is, with no extra request. A silent or repeating one is
    checked: if Rasa did not end it listening, an `action_listen` is appended to the
    conversation so the next message starts a fresh turn.
    """
    kept = without_repeats(replies)
    if kept and len(kept) == len(replies):
        return replies
    state = await _rasa("GET", f"/conversations/{conversation_id}/tracker", params={"include_events": "NONE"})
    relistened = False
    if state is not None and state.get("latest_action_name") != LISTEN:
        relistened = await _rasa("POST", f"/conversations/{conversation_id}/tracker/events",
                                 json=[{"event": "action", "name": LISTEN}]) is not None
    log_event(logger, "bot_turn_recovered", logging.WARNING, replies=len(replies), kept=len(kept),
              relistened=relistened)
    if kept:
        return kept
    slots = (state or {}).get("slots") or {}
    return [reply_from_catalog(BOT_FAILED, slots.get("language") or language or get_settings().default_language,
                               with_hotline=True)]
