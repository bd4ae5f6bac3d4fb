"""Sending to Telegram: a reply as text in parts, an image with its caption, buttons, and its recording."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter

from api.core.logging import log_event
from api.gateways.telegram_keyboard import keyboard_for
from api.gateways.text_parts import split_text
from api.outbox.messages import BotReply, OutgoingMessage

logger = logging.getLogger(__name__)

CHANNEL = "tg"
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024


def is_transient(error: Exception) -> bool:
    """Worth trying again later: the network, a timeout, a 5xx, or Telegram still asking us to slow down.

    (python-telegram-bot's BadRequest is a NetworkError too, but sending it again cannot help.)
    """
    return isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest)


async def send_reply(bot: Bot, chat_id: int, reply: BotReply) -> None:
    """Send one reply: an image with its caption, or text in parts of 4096 characters, buttons on the last;
    then its recording as a voice message."""
    markup = keyboard_for(reply.buttons)
    if reply.image and len(reply.text) <= MAX_CAPTION_CHARS:
        await bot.send_photo(chat_id, photo=reply.image, caption=reply.text or None, reply_markup=markup)
        if reply.audio:
            await send_recording(bot, chat_id, reply.audio)
        return
    if reply.image:
        await bot.send_photo(chat_id, photo=reply.image)
    parts = split_text(reply.text, MAX_TEXT_CHARS)
    for index, part in enumerate(parts):
        await bot.send_message(chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)
    if reply.audio:
        await send_recording(bot, chat_id, reply.audio)


async def send_recording(bot: Bot, chat_id: int, url: str) -> None:
    """The editors' recording of the text just sent, as a voice message (Telegram fetches the MP3 URL).

    Telegram refusing the file (BadRequest) leaves the person with the text they already have.
    """
    try:
        await bot.send_voice(chat_id, voice=url)
    except BadRequest as exc:
        log_event(logger, "telegram_voice_refused", logging.WARNING, error=type(exc).__name__)


class TelegramSender:
    """Delivers outbox messages (operator replies, notices) to a chat id."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, address: str, message: OutgoingMessage) -> None:
        await send_reply(self.bot, int(address), message)
