"""Rasa's NLG endpoint (`POST /nlg`) and the rights card image (`GET /rights-card/{lang}.png`)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from api.auth.deps import require_nlg_token
from api.core.config import Settings, get_settings, settings_on_the_loop
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event
from api.gateways.responses import RenderRequest, render_for_rasa
from api.nlg.catalogs import CatalogSnapshot, catalog_store
from api.nlg.render import UnknownResponse, card_version
from api.nlg.rights_card import FontMissing, render_rights_card

logger = logging.getLogger(__name__)
router = APIRouter(tags=["nlg"])


@router.post("/nlg", dependencies=[Depends(require_nlg_token)],
             responses={401: {"description": "missing or wrong NLG token"},
                        404: {"description": "no such response in the catalogs"}})
async def generate_response(body: RenderRequest, settings: Settings = Depends(settings_on_the_loop)) -> JSONResponse:
    """Render the named response in the conversation's language for Rasa's callback generator.

    `make run` has Rasa leave its responses to the gateway instead (botserver/deferred_render.py);
    this endpoint serves `RASA_NLG_TYPE=callback`, for Rasa's own tools. Same renderer either way
    (api/gateways/responses.py).
    """
    try:
        rendered = await render_for_rasa(body, settings)
    except UnknownResponse as error:
        log_event(logger, "nlg_unknown_response", level=logging.ERROR, response=body.name)
        return JSONResponse(status_code=404, content={"code": "unknown_response", "detail": str(error)})
    return JSONResponse(rendered.to_rasa())


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
