"""Telegram in webhook mode: updates Telegram pushes (checked by their secret header), and media for operators."""

from __future__ import annotations

import hmac
import logging
import mimetypes

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from telegram import Update
from telegram.error import TelegramError

from api.auth.deps import current_operator
from api.cases.models import Operator
from api.core.config import get_settings
from api.core.errors import Forbidden, NotFound
from api.core.logging import log_event
from api.gateways.telegram import shared_application

logger = logging.getLogger(__name__)

router = APIRouter(tags=["telegram"])


@router.post("/webhooks/telegram", include_in_schema=False)
async def telegram_webhook(request: Request,
                           secret: str = Header(default="", alias="X-Telegram-Bot-Api-Secret-Token")) -> Response:
    """Process one update from Telegram; anything without our webhook secret is refused."""
    expected = get_settings().telegram_webhook_secret
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        log_event(logger, "telegram_webhook_rejected", logging.WARNING, has_secret=bool(secret))
        raise Forbidden("invalid_telegram_secret", "The request does not carry this bot's webhook secret.")
    application = await shared_application()
    update = Update.de_json(await request.json(), application.bot)
    await application.process_update(update)
    return Response(status_code=200)


@router.get("/media/telegram/{file_id}", include_in_schema=False)
async def telegram_media(file_id: str, _operator: Operator = Depends(current_operator)) -> Response:
    """A person's voice note or photo, fetched from Telegram for a logged-in operator (the file URL holds the bot token)."""
    application = await shared_application()
    try:
        telegram_file = await application.bot.get_file(file_id)
        content = await telegram_file.download_as_bytearray()
    except TelegramError as exc:
        raise NotFound("media_not_found", "Telegram no longer has this file.") from exc
    media_type = mimetypes.guess_type(telegram_file.file_path or "")[0] or "application/octet-stream"
    return Response(bytes(content), media_type=media_type, headers={"Cache-Control": "private, no-store"})
