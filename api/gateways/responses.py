"""Rasa's responses rendered in the person's language, one way for every path that asks.

Rasa decides which response to send; the text comes from locales/. Two paths ask for it with the
same request (Rasa's NLG callback body, sante_contract/rendering.py):

- the responses Rasa leaves to render (botserver/deferred_render.py, the default): they come back
  in the turn's reply as `{"custom": {"render": request}}` and the gateway renders them here
  before the person's channel sees them (`rendered_replies`), with no request back into the API;
- Rasa's callback (`POST /nlg`, api/routes/nlg.py), for Rasa's own tools.

Either way a render reads the catalogs as they are now (an editor's save reaches the next reply),
puts the town in the person's script, offers a person who speaks their language when the text is
served from another one (asking the database only then, off the event loop), and adds the
"Was this helpful?" buttons and the editors' recording.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.cases.context import BotTurnShown
from api.cases.on_duty import speaker_on_duty
from api.core.config import Settings
from api.core.logging import log_event
from api.db import get_sessionmaker
from api.directory.answer import town_name
from api.directory.towns import gazetteer
from api.nlg.catalogs import CatalogSnapshot, catalog_store
from api.nlg.helpful import with_helpful_buttons
from api.nlg.render import RenderedResponse, UnknownResponse, pick_language, render_from_snapshot
from api.outbox.messages import BotReply
from sante_contract.rendering import RENDER_KEY

logger = logging.getLogger(__name__)
# Slots a message may use as placeholders when the action did not pass them as arguments.
SLOT_VARIABLES = ("city", "reference", "services")


class RenderRequest(BaseModel):
    """What Rasa 3.6 sends for a response: posted to `/nlg`, or left in a `custom` message to render."""

    model_config = ConfigDict(extra="allow")

    response: str | None = None
    template: str | None = Field(default=None, description="the name used by Rasa before 2.0")
    arguments: dict[str, Any] = Field(default_factory=dict)
    tracker: dict[str, Any] = Field(default_factory=dict)
    channel: dict[str, Any] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.response or self.template or ""


def conversation_language(tracker: dict[str, Any]) -> str:
    """The `language` slot, else the language detected in the latest message, else French."""
    slot = (tracker.get("slots") or {}).get("language")
    if isinstance(slot, str) and slot:
        return pick_language(slot)
    detected = (tracker.get("latest_message") or {}).get("language") or {}
    code = detected.get("code") if isinstance(detected, dict) else detected
    return pick_language(code if isinstance(code, str) else None)


def template_variables(body: RenderRequest) -> dict[str, Any]:
    """Placeholder values: the action's arguments first, then the tracker's slots."""
    slots = body.tracker.get("slots") or {}
    variables = {name: slots[name] for name in SLOT_VARIABLES if slots.get(name) is not None}
    variables.update({k: v for k, v in body.arguments.items() if v is not None})
    return variables


def speaker_check(tracker: dict[str, Any]) -> Callable[[str], bool] | None:
    """Whether to offer a person who speaks the language: not inside a form (its questions come first).

    The database is asked only when the answer is needed (a message served from another
    language), in a session of its own: most renders never open one.
    """
    if (tracker.get("active_loop") or {}).get("name"):
        return None

    def check(language: str) -> bool:
        try:
            with get_sessionmaker()() as session:
                return speaker_on_duty(session, language)
        except SQLAlchemyError:  # the database down must not silence the assistant: no offer, the answer goes out
            log_event(logger, "nlg_on_duty_unavailable", level=logging.WARNING)
            return False
    return check


def _prepared(body: RenderRequest, settings: Settings) -> tuple[CatalogSnapshot, str, dict[str, Any]]:
    snapshot = catalog_store(settings.locales_dir).snapshot()
    language = conversation_language(body.tracker)
    variables = template_variables(body)
    if isinstance(variables.get("city"), str):  # the slot holds the gazetteer's Latin name
        variables["city"] = town_name(variables["city"], language, gazetteer(settings.data_dir / "towns.yml"))
    return snapshot, language, variables


async def render_for_rasa(body: RenderRequest, settings: Settings) -> RenderedResponse:
    """The response as the person receives it: text, buttons, "Was this helpful?", recording.

    Runs on the event loop (a dictionary lookup and a few string operations) and goes to the
    thread pool only for the database, when the render asks whether an operator on duty speaks
    the person's language. Raises `UnknownResponse` for a name no catalog has.
    """
    name = body.name
    snapshot, language, variables = _prepared(body, settings)
    check = speaker_check(body.tracker)
    asked: list[str] = []

    def ask_later(language: str) -> bool:  # the render says whether it needs the answer
        asked.append(language)
        return False

    rendered = render_from_snapshot(snapshot, name, language, variables, settings.public_base_url,
                                    ask_later if check else None)
    if check is not None and asked:
        on_duty: bool = await run_in_threadpool(check, asked[0])
        if on_duty:
            rendered = render_from_snapshot(snapshot, name, language, variables, settings.public_base_url,
                                            lambda _language: True)
    return with_helpful_buttons(rendered, snapshot, name).with_audio(name)


def render_request_in(item: dict[str, Any]) -> RenderRequest | None:
    """The render request a reply of Rasa's REST channel carries, if it is one Rasa left to render."""
    custom = item.get("custom")
    request = custom.get(RENDER_KEY) if isinstance(custom, dict) else None
    if not isinstance(request, dict):
        return None
    try:
        return RenderRequest.model_validate(request)
    except ValidationError:
        return None


async def rendered_replies(items: list[dict[str, Any]], settings: Settings) -> list[BotReply]:
    """Rasa's REST replies for the person: each response left to render is rendered, a text kept as it is.

    A response no catalog knows is left out and logged (the turn's safety net answers a turn
    left empty, api/gateways/safety.py).
    """
    replies: list[BotReply] = []
    for item in items:
        request = render_request_in(item)
        if request is None:
            replies.append(BotReply.from_rasa(item))
            continue
        try:
            rendered = await render_for_rasa(request, settings)
        except UnknownResponse:
            log_event(logger, "nlg_unknown_response", level=logging.ERROR, response=request.name)
            continue
        replies.append(BotReply(text=rendered.text, buttons=rendered.buttons, image=rendered.image,
                                audio=rendered.audio))
    return replies


def render_stored(request: RenderRequest, settings: Settings) -> RenderedResponse | None:
    """A response Rasa stored in its tracker, rendered again from today's catalogs in the person's language.

    Without asking who is on duty (that answer belonged to the moment it was sent); None when
    its name is no longer in the catalogs.
    """
    snapshot, language, variables = _prepared(request, settings)
    try:
        return render_from_snapshot(snapshot, request.name, language, variables, settings.public_base_url)
    except UnknownResponse:
        return None


def stored_turn_text(data: dict[str, Any], settings: Settings) -> BotTurnShown | None:
    """What the bot said in a turn Rasa stored as a response to render (the operator's context view):
    its text and its buttons; None when the event is not such a response or is unknown now."""
    request = render_request_in(data.get("data") or {})
    rendered = render_stored(request, settings) if request is not None else None
    if rendered is None:
        return None
    return BotTurnShown(rendered.text, tuple((button.title, button.payload) for button in rendered.buttons))


def stored_turn_renderer(settings: Settings) -> Callable[[dict[str, Any]], BotTurnShown | None]:
    """`stored_turn_text` with these settings, for the case's context view (api/cases/context.py)."""
    return lambda data: stored_turn_text(data, settings)
