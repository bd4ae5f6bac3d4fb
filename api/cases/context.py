"""The bot conversation before an escalation, as the operator sees it: its last turns, redacted.

The turns are read from Rasa's tracker store (the same one an erasure and the retention job
delete from, api/bot_history.py), so they exist for every channel that talks to the
bot and go with the person's /forget and with the 30-day limit; nothing is copied into the case.
Only the turns up to the moment the case was created are shown (what the person asked and what
the bot answered before asking for a human), at most `CONTEXT_TURNS`, and only when the person
consented to the escalation (its consent text says the team sees the recent conversation).
Every text goes through the intake redaction again: a number written in a button title or a bot
answer is not shown either.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from api.bot_history import EVENTS_TABLE, TrackerStoreUnavailable, configured_tracker_engine
from api.cases.models import Case
from api.core.clock import as_utc
from api.core.logging import log_event
from api.privacy.redaction import redact

logger = logging.getLogger(__name__)

CONTEXT_TURNS = 12
# The referral is posted while the bot's turn is still running: its last answer of that turn is
# stored a moment after the case exists.
TURN_SLACK = timedelta(seconds=5)


@dataclass(frozen=True)
class BotTurnShown:
    """What the person saw of a bot turn: its text and its buttons as (title, payload)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


# A bot turn Rasa stored as a response to render (it holds the response's name, not its text):
# what the person saw, rendered by the gateway's renderer (api/gateways/responses.py).
StoredTurnRenderer = Callable[[dict[str, Any]], "BotTurnShown | None"]


@dataclass(frozen=True)
class ContextTurn:
    """One turn: `person` (what they wrote or the button they chose) or `bot` (its answer)."""

    speaker: Literal["person", "bot"]
    text: str
    at: datetime


def _bot_turn(data: dict[str, Any], render_stored: StoredTurnRenderer | None) -> BotTurnShown:
    if not data.get("text") and render_stored is not None:
        rendered = render_stored(data)
        if rendered is not None:
            return rendered
    buttons = (data.get("data") or {}).get("buttons") or []
    return BotTurnShown(str(data.get("text") or ""), tuple(
        (str(button.get("title")), str(button.get("payload") or "")) for button in buttons
        if isinstance(button, dict) and button.get("title")))


def _shown_text(turn: BotTurnShown) -> str:
    return "\n".join(part for part in [turn.text, *(f"[{title}]" for title, _ in turn.buttons)] if part)


def _person_text(data: dict[str, Any], offered: dict[str, str]) -> str:
    """What the person wrote; a button they tapped (Rasa keeps its payload) as the title they saw, in brackets."""
    said = str(data.get("text") or "")
    title = offered.get(said.strip())
    return f"[{title}]" if title else said


def bot_context(case: Case, engine: Engine | None = None, limit: int = CONTEXT_TURNS,
                render_stored: StoredTurnRenderer | None = None) -> list[ContextTurn] | None:
    """The last turns before the case, oldest first; [] when there is nothing to show, None when unreachable.

    `render_stored` gives the text of a bot turn stored as a response to render.
    """
    if not case.consent or case.conversation_id is None or case.channel == "voice":
        return []
    cutoff = (as_utc(case.created_at) + TURN_SLACK).timestamp()
    try:
        engine = engine or configured_tracker_engine()
        if not inspect(engine).has_table(EVENTS_TABLE):
            return None
        with engine.connect() as connection:
            rows = connection.execute(text(
                f"SELECT type_name, timestamp, data FROM {EVENTS_TABLE} WHERE sender_id = :sender "
                "AND type_name IN ('user', 'bot') AND timestamp <= :cutoff ORDER BY id DESC LIMIT :limit"),
                {"sender": case.conversation_id, "cutoff": cutoff, "limit": limit}).all()
    except (TrackerStoreUnavailable, SQLAlchemyError) as exc:
        log_event(logger, "bot_context_unavailable", logging.WARNING, case_id=case.id, error=type(exc).__name__)
        return None
    turns = []
    offered: dict[str, str] = {}  # the payloads of the buttons the bot last offered, and their titles
    for type_name, timestamp, data in reversed(rows):
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        event = event if isinstance(event, dict) else {}
        if type_name == "user":
            said = _person_text(event, offered)
        else:
            shown = _bot_turn(event, render_stored)
            if shown.buttons:
                offered = {payload: title for title, payload in reversed(shown.buttons) if payload}
            said = _shown_text(shown)
        said = redact(said).text
        if said.strip():
            turns.append(ContextTurn(speaker="person" if type_name == "user" else "bot", text=said,
                                     at=datetime.fromtimestamp(float(timestamp or 0), tz=timezone.utc)))
    return turns
