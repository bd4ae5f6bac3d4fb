"""The Telegram bot's handlers: each kind of update becomes one gateway message, its replies sent back.

Registered in one place (`register_handlers`), as python-telegram-bot's examples do.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from api.core.config import get_settings
from api.core.http_client import http_client
from api.core.languages import normalise_language_tag
from api.core.logging import log_event
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.gateways.rasa_auth import rasa_api_params
from api.gateways.telegram_keyboard import payload_for
from api.gateways.telegram_sending import CHANNEL, is_transient, send_reply
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import BotReply, IncomingMessage

logger = logging.getLogger(__name__)

# python-telegram-bot's Application with its default bot, context and data types.
TelegramApplication = Application[Any, Any, Any, Any, Any, Any]

GREET_PAYLOAD = "/greet"
# Commands that are shortcuts for a Rasa intent (the dialogue defines what follows).
COMMAND_PAYLOADS = {"language": "/change_language", "human": "/request_human", "forget": "/forget_me"}
# Only one-to-one chats: a health conversation never happens in a group.
PRIVATE = filters.ChatType.PRIVATE


def register_handlers(application: TelegramApplication) -> None:
    """Every handler of the bot, in one place."""
    application.add_handler(CommandHandler("start", on_start, filters=PRIVATE))
    for command in COMMAND_PAYLOADS:
        application.add_handler(CommandHandler(command, on_shortcut_command, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(PRIVATE & filters.LOCATION, on_location))
    media = filters.VOICE | filters.AUDIO | filters.PHOTO | filters.VIDEO | filters.VIDEO_NOTE | filters.Document.ALL
    application.add_handler(MessageHandler(PRIVATE & media, on_media))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    # Any other "/word" is still a message to answer, never silence (the commands above come first).
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_text))
    application.add_error_handler(on_error)


def _incoming(chat_id: int, text: str, **extra: object) -> IncomingMessage:
    return IncomingMessage(channel=CHANNEL, user_key=str(chat_id), text=text, **extra)  # type: ignore[arg-type]


async def converse(context: ContextTypes.DEFAULT_TYPE, chat_id: int, incoming: IncomingMessage) -> None:
    """Hand the message to the gateway and send the replies back to the chat.

    Replies that hit a transient failure (after the rate limiter's own retries) go to the
    outbox, which the bridge's outbox worker retries with backoff: no answer is lost.
    """
    factory: sessionmaker[Session] = context.application.bot_data["session_factory"]
    with factory() as session:
        replies = await handle_incoming(session, incoming)
    for index, reply in enumerate(replies):
        try:
            await send_reply(context.bot, chat_id, reply)
        except TelegramError as exc:
            if not is_transient(exc):
                raise
            keep_for_retry(factory, conversation_id_for(CHANNEL, str(chat_id)), replies[index:])
            log_event(logger, "telegram_reply_deferred", logging.WARNING, error=type(exc).__name__,
                      replies=len(replies) - index)
            return


def keep_for_retry(factory: sessionmaker[Session], conversation_id: str, replies: list[BotReply]) -> None:
    """Put unsent replies in the outbox, in order."""
    with factory() as session:
        for reply in replies:
            enqueue_outbound(session, conversation_id, reply)
        session.commit()


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start` or a deep link `/start ar`: set the conversation's language if given, then greet."""
    if update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    language = normalise_language_tag(context.args[0]) if context.args else None
    if language:
        await set_conversation_language(conversation_id_for(CHANNEL, str(chat_id)), language)
    await converse(context, chat_id, _incoming(chat_id, GREET_PAYLOAD))


async def on_shortcut_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/language`, `/human`, `/forget`: the matching intent, as if the person had asked in words."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    await converse(context, chat.id, _incoming(chat.id, COMMAND_PAYLOADS[command]))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.text is None:
        return
    await converse(context, chat.id, _incoming(chat.id, message.text))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button sends its payload as the person's message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    payload = payload_for(query.data or "", message.reply_markup if message else None)
    if payload and update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
        await converse(context, update.effective_chat.id, _incoming(update.effective_chat.id, payload))


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location goes to Rasa as `/share_location{...}` (built by the gateway core)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.location is None:
        return
    location = message.location
    await converse(context, chat.id, _incoming(chat.id, "", latitude=location.latitude, longitude=location.longitude))


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A voice note, photo or file: acknowledged, and attached to the person's case when one is open."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    attachment = (message.voice or message.audio or message.video or message.video_note or message.document
                  or (message.photo[-1] if message.photo else None))
    if attachment is None:
        return
    kind = next(k for k in ("voice", "audio", "video", "video_note", "document", "photo") if getattr(message, k))
    media_url = f"{get_settings().public_base_url.rstrip('/')}/media/telegram/{attachment.file_id}"
    await converse(context, chat.id, _incoming(
        chat.id, message.caption or "", media_url=media_url, metadata={"media_type": kind}))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by type only: the update holds the person's chat id and text."""
    log_event(logger, "telegram_handler_failed", logging.ERROR, error=type(context.error).__name__)


async def set_conversation_language(conversation_id: str, language: str) -> None:
    """Set the `language` slot in Rasa's tracker (the person chose it, e.g. with `/start ar`)."""
    settings = get_settings()
    url = f"{settings.rasa_url}/conversations/{conversation_id}/tracker/events"
    events = [{"event": "slot", "name": "language", "value": language}]
    try:
        # A new conversation's session starts on its first append, stamped *after* the event sent
        # with it, and Rasa's SQL tracker store drops events older than the session start when it
        # reloads. Sending the event twice keeps the second one; the same value twice is harmless.
        for _ in range(2):
            response = await http_client().post(url, json=events, params=rasa_api_params(),
                                                timeout=settings.rasa_timeout_seconds)
            response.raise_for_status()
    except httpx.HTTPError as exc:  # the greeting still goes out; the language is detected from text
        log_event(logger, "language_slot_not_set", logging.WARNING, error=type(exc).__name__)
