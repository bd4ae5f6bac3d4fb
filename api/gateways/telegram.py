"""The Telegram bridge: one python-telegram-bot Application turning updates into gateway messages.

Long polling by default (`python -m api.gateways.telegram`); in webhook mode the API's
`/webhooks/telegram` route feeds updates to the same Application (`shared_application`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal

import httpx
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from api.core.config import Settings, get_settings
from api.core.http_client import http_client
from api.core.languages import normalise_language_tag
from api.core.logging import configure_logging, log_event
from api.core.secrets import require_strong_secrets
from api.db import get_sessionmaker
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.gateways.rasa_auth import rasa_api_params
from api.gateways.telegram_keyboard import keyboard_for, payload_for
from api.gateways.text_parts import split_text
from api.outbox.delivery import deliver_pending, enqueue_outbound, register_sender
from api.outbox.messages import BotReply, IncomingMessage, OutgoingMessage

logger = logging.getLogger(__name__)

CHANNEL = "tg"
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
GREET_PAYLOAD = "/greet"
# Commands that are shortcuts for a Rasa intent (the dialogue defines what follows).
COMMAND_PAYLOADS = {"language": "/change_language", "human": "/request_human", "forget": "/forget_me"}
OUTBOX_INTERVAL_SECONDS = 1.0
# Only one-to-one chats: a health conversation never happens in a group.
PRIVATE = filters.ChatType.PRIVATE


def build_application(settings: Settings | None = None,
                      factory: sessionmaker[Session] | None = None) -> Application:
    """The bot's Application (rate-limited, retrying), with every handler registered."""
    settings = settings or get_settings()
    if not settings.telegram_bot_token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set it.")
    application = (ApplicationBuilder().token(settings.telegram_bot_token)
                   .base_url(settings.telegram_api_base_url).base_file_url(settings.telegram_api_file_url)
                   .rate_limiter(AIORateLimiter(max_retries=3)).build())
    application.bot_data["session_factory"] = factory or get_sessionmaker()
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
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


def is_transient(error: Exception) -> bool:
    """Worth trying again later: the network, a timeout, a 5xx, or Telegram still asking us to slow down.

    (python-telegram-bot's BadRequest is a NetworkError too, but sending it again cannot help.)
    """
    return isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest)


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


class TelegramSender:
    """Delivers outbox messages (operator replies, notices) to a chat id."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, address: str, message: OutgoingMessage) -> None:
        await send_reply(self.bot, int(address), message)


_shared: dict[str, Application] = {}


async def shared_application() -> Application:
    """The API process's Application (webhook mode, outbox delivery), built and initialised once."""
    application = _shared.get("application")
    if application is None:
        quiet_request_logs()
        application = build_application()
        _shared["application"] = application
        await application.initialize()
    return application


async def deliver_via_shared_application(address: str, message: OutgoingMessage) -> None:
    """Outbox sender for the API process: `register_sender("tg", deliver_via_shared_application)`."""
    application = await shared_application()
    await send_reply(application.bot, int(address), message)


async def shutdown_shared_application() -> None:
    """Release the shared Application's connections (API shutdown)."""
    application = _shared.pop("application", None)
    if application is not None:
        await application.shutdown()


async def run_outbox(factory: sessionmaker[Session], stop: asyncio.Event) -> None:
    """Deliver queued Telegram messages until `stop` is set (the bridge process's own outbox worker)."""
    while not stop.is_set():
        try:
            await deliver_pending(factory)
        except Exception:  # a failing round must not stop the worker; the next one retries
            logger.exception("telegram_outbox_round_failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=OUTBOX_INTERVAL_SECONDS)


def run_polling(settings: Settings) -> None:
    """Run the bridge with long polling, delivering the Telegram outbox alongside."""
    factory = get_sessionmaker()
    application = build_application(settings, factory)
    register_sender(CHANNEL, TelegramSender(application.bot))
    stop = asyncio.Event()

    async def start_outbox(app: Application) -> None:
        app.bot_data["outbox_task"] = asyncio.create_task(run_outbox(factory, stop))

    async def stop_outbox(app: Application) -> None:
        stop.set()
        await app.bot_data["outbox_task"]

    application.post_init, application.post_shutdown = start_outbox, stop_outbox
    log_event(logger, "telegram_polling_started")
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def run_outbox_only(settings: Settings) -> None:
    """Webhook mode: the API receives the updates; this process only delivers the Telegram outbox.

    (Polling now would delete the webhook, so `make run` starting the bridge stays harmless.)
    """
    async def serve() -> None:
        factory = get_sessionmaker()
        application = build_application(settings, factory)
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        async with application:  # initialise (getMe) and shut down the bot's connections
            register_sender(CHANNEL, TelegramSender(application.bot))
            log_event(logger, "telegram_outbox_started", mode="webhook")
            await run_outbox(factory, stop)

    asyncio.run(serve())


async def set_webhook(settings: Settings) -> None:
    """Tell Telegram to push updates to our `/webhooks/telegram` route, signed with the webhook secret."""
    if not settings.telegram_webhook_secret:
        raise RuntimeError("Set TELEGRAM_WEBHOOK_SECRET before switching to webhook mode.")
    async with Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url) as bot:
        await bot.set_webhook(f"{settings.public_base_url.rstrip('/')}/webhooks/telegram",
                              secret_token=settings.telegram_webhook_secret, allowed_updates=Update.ALL_TYPES)
    log_event(logger, "telegram_webhook_set")


def quiet_request_logs() -> None:
    """httpx logs every request URL at INFO, and Telegram URLs contain the bot token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """`python -m api.gateways.telegram [--set-webhook]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set-webhook", action="store_true",
                        help="register PUBLIC_BASE_URL/webhooks/telegram with Telegram and exit")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    require_strong_secrets(settings, "The Telegram bridge")
    os.umask(0o077)  # its files (a SQLite database it creates) owner-only, like the other processes
    quiet_request_logs()
    if args.set_webhook:
        asyncio.run(set_webhook(settings))
    elif settings.telegram_use_webhook:
        run_outbox_only(settings)
    else:
        run_polling(settings)


if __name__ == "__main__":
    main()
