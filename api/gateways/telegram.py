"""The Telegram bridge: one python-telegram-bot Application turning updates into gateway messages.

Long polling by default (`python -m api.gateways.telegram`); in webhook mode the API's
`/webhooks/telegram` route feeds updates to the same Application (`shared_application`).
Handlers: api/gateways/telegram_handlers.py; sending: api/gateways/telegram_sending.py.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, Update
from telegram.ext import AIORateLimiter, ApplicationBuilder

from api.core.config import Settings, get_settings
from api.core.logging import configure_logging, log_event
from api.core.secrets import require_strong_secrets
from api.db import get_sessionmaker
from api.gateways.telegram_handlers import TelegramApplication, register_handlers
from api.gateways.telegram_sending import CHANNEL, TelegramSender, send_reply
from api.jobs import ScheduledJob, run_jobs
from api.outbox.delivery import deliver_pending, register_sender
from api.outbox.messages import OutgoingMessage

logger = logging.getLogger(__name__)

OUTBOX_INTERVAL_SECONDS = 1.0


def build_application(settings: Settings | None = None,
                      factory: sessionmaker[Session] | None = None) -> TelegramApplication:
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


_shared: dict[str, TelegramApplication] = {}


async def shared_application() -> TelegramApplication:
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


async def run_outbox(stop: asyncio.Event) -> None:
    """Deliver queued Telegram messages until `stop` is set: the job loop of api/jobs.py, with this one job."""
    await run_jobs(stop, (ScheduledJob("telegram_outbox", deliver_pending, OUTBOX_INTERVAL_SECONDS),))


def run_polling(settings: Settings) -> None:
    """Run the bridge with long polling, delivering the Telegram outbox alongside."""
    factory = get_sessionmaker()
    application = build_application(settings, factory)
    register_sender(CHANNEL, TelegramSender(application.bot))
    stop = asyncio.Event()

    async def start_outbox(app: TelegramApplication) -> None:
        app.bot_data["outbox_task"] = asyncio.create_task(run_outbox(stop))

    async def stop_outbox(app: TelegramApplication) -> None:
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
            await run_outbox(stop)

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
