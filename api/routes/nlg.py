"""Rasa's NLG endpoint (`POST /nlg`) and the rights card image (`GET /rights-card/{lang}.png`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require_nlg_token
from api.cases.on_duty import speaker_on_duty
from api.core.config import Settings, get_settings, settings_on_the_loop
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event
from api.db import get_sessionmaker
from api.directory.answer import town_name
from api.directory.towns import gazetteer
from api.nlg.catalogs import CatalogSnapshot, catalog_store
from api.nlg.helpful import with_helpful_buttons
from api.nlg.render import UnknownResponse, card_version, pick_language, render_from_snapshot
from api.nlg.rights_card import FontMissing, render_rights_card

logger = logging.getLogger(__name__)
router = APIRouter(tags=["nlg"])
# Slots a message may use as placeholders when the action did not pass them as arguments.
SLOT_VARIABLES = ("city", "reference", "services")


class NlgRequest(BaseModel):
    """What Rasa 3.6 posts for every response it utters."""

    model_config = ConfigDict(extra="allow")

    response: str | None = None
    template: str | None = Field(default=None, description="the name used by Rasa before 2.0")
    arguments: dict[str, Any] = Field(default_factory=dict)
    tracker: dict[str, Any] = Field(default_factory=dict)
    channel: dict[str, Any] = Field(default_factory=dict)


def conversation_language(tracker: dict[str, Any]) -> str:
    """The `language` slot, else the language detected in the latest message, else French."""
    slot = (tracker.get("slots") or {}).get("language")
    if isinstance(slot, str) and slot:
        return pick_language(slot)
    detected = (tracker.get("latest_message") or {}).get("language") or {}
    code = detected.get("code") if isinstance(detected, dict) else detected
    return pick_language(code if isinstance(code, str) else None)


def template_variables(body: NlgRequest) -> dict[str, Any]:
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


@router.post("/nlg", dependencies=[Depends(require_nlg_token)],
             responses={401: {"description": "missing or wrong NLG token"},
                        404: {"description": "no such response in the catalogs"}})
async def generate_response(body: NlgRequest, settings: Settings = Depends(settings_on_the_loop)) -> JSONResponse:
    """Render the named response in the conversation's language for Rasa.

    Called once per response Rasa utters, so it runs on the event loop (rendering is a dictionary
    lookup and a few string operations) and goes to the thread pool only for the database, when
    the render asks whether an operator on duty speaks the person's language.
    """
    name = body.response or body.template or ""
    snapshot = catalog_store(settings.locales_dir).snapshot()
    language = conversation_language(body.tracker)
    variables = template_variables(body)
    if isinstance(variables.get("city"), str):  # the slot holds the gazetteer's Latin name
        variables["city"] = town_name(variables["city"], language, gazetteer(settings.data_dir / "towns.yml"))
    check = speaker_check(body.tracker)
    asked: list[str] = []

    def ask_later(language: str) -> bool:  # the render says whether it needs the answer
        asked.append(language)
        return False

    try:
        rendered = render_from_snapshot(snapshot, name, language, variables, settings.public_base_url,
                                        ask_later if check else None)
        if check is not None and asked:
            on_duty: bool = await run_in_threadpool(check, asked[0])
            if on_duty:
                rendered = render_from_snapshot(snapshot, name, language, variables, settings.public_base_url,
                                                lambda _language: True)
    except UnknownResponse as error:
        log_event(logger, "nlg_unknown_response", level=logging.ERROR, response=name)
        return JSONResponse(status_code=404, content={"code": "unknown_response", "detail": str(error)})
    return JSONResponse(with_helpful_buttons(rendered, snapshot, name).with_audio(name).to_rasa())


_card_cache: dict[tuple[str, str, str], bytes] = {}
CARD_CACHE_SIZE = 32


def _card_png(locales_key: str, language: str, version: str, snapshot: CatalogSnapshot) -> bytes:
    """Keyed by the card's text hash: an edited card is drawn again, an unchanged one is not."""
    key = (locales_key, language, version)
    png = _card_cache.get(key)
    if png is None:
        png = render_rights_card(snapshot, language)
        if len(_card_cache) >= CARD_CACHE_SIZE:
            _card_cache.pop(next(iter(_card_cache)))
        _card_cache[key] = png
    return png


@router.get("/rights-card/{language}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 404: {"description": "unknown language"},
                       503: {"description": "the card's font or text is missing"}})
def rights_card_image(language: str, settings: Settings = Depends(get_settings)) -> Response:
    """The rights card as a PNG, with its header line in the person's language."""
    if language not in SUPPORTED_LANGUAGES:
        return JSONResponse(status_code=404, content={"code": "unknown_language",
                                                      "detail": f"languages: {', '.join(SUPPORTED_LANGUAGES)}"})
    snapshot = catalog_store(settings.locales_dir).snapshot()
    version = card_version(snapshot, language)
    try:
        png = _card_png(str(settings.locales_dir), language, version, snapshot)
    except FontMissing as error:
        log_event(logger, "rights_card_font_missing", level=logging.ERROR)
        return JSONResponse(status_code=503, content={"code": "font_missing", "detail": str(error)})
    except LookupError as error:
        log_event(logger, "rights_card_text_missing", level=logging.ERROR, language=language)
        return JSONResponse(status_code=503, content={"code": "card_text_missing", "detail": str(error)})
    return Response(content=png, media_type="image/png", headers={"Cache-Control": "public, max-age=3600",
                                                                   "ETag": f'"{language}-{version}"'})
