"""The FastAPI application: referral backend, operator console, NLG endpoint and channel gateways."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.console import install_console
from api.core.config import PROJECT_ROOT, get_settings
from api.core.error_responses import install_error_responses
from api.core.http_client import shared_http_client
from api.core.http_security import SecurityHeadersMiddleware
from api.core.logging import AccessLogMiddleware, configure_logging, log_event
from api.core.openapi import complete_openapi
from api.core.secrets import require_strong_secrets
from api.gateways.senders import register_channel_senders
from api.gateways.telegram import shutdown_shared_application
from api.jobs import run_jobs
from api.routes import admin as admin_routes
from api.routes import (
    audio,
    board,
    cases,
    console,
    console_admin,
    console_board,
    console_directory,
    directory,
    health,
    nlg,
    preferences,
    referrals,
    stats,
    telegram_webhook,
    webchat,
)
from api.routes import auth as auth_routes
from api.routes import voice as voice_routes
from api.routes import whatsapp as whatsapp_routes
from api.routes.editor import api as editor_api
from api.routes.editor import pages as editor_pages
from api.worker import scheduled_jobs

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Start the background jobs with the app (unless a separate worker runs them) and stop them cleanly.

    The process's one HTTP client (api/core/http_client.py) lives as long as the app.
    """
    async with shared_http_client():
        stop = asyncio.Event()
        worker = asyncio.create_task(run_jobs(stop, scheduled_jobs())) if get_settings().background_jobs_in_api else None
        log_event(logger, "api_started", background_jobs=worker is not None)
        try:
            yield
        finally:
            stop.set()
            if worker is not None:
                await worker
            await shutdown_shared_application()  # the Telegram webhook's Application, if one was started


def create_app() -> FastAPI:
    """Build the application with every router (refused outside development mode with weak secrets)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    require_strong_secrets(settings, "The API")
    app = FastAPI(title="Santé migrants: referral backend and gateways", version="0.1.0", lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=str(PROJECT_ROOT / "api" / "static")), name="static")
    app.include_router(health.router)
    app.include_router(nlg.router)
    install_error_responses(app)  # every error as JSON {code, detail}
    # --- referral backend and operator console (sessions, login limiter, same-origin writes, console assets)
    install_console(app)
    for router in (referrals.router, cases.router, auth_routes.router, stats.router, console.router,
                   directory.router, console_directory.router, audio.router, board.router, console_board.router,
                   admin_routes.router, console_admin.router, preferences.router):
        app.include_router(router)
    # --- end referral backend block
    # --- editors' workspace (console pages and its save API)
    for router in (editor_pages, editor_api):
        app.include_router(router)
    if settings.webchat_enabled:
        app.include_router(webchat.router)
    install_channels(app)
    app.openapi = lambda: complete_openapi(app)  # type: ignore[method-assign]
    # Outermost last: every response, the same-origin check's 403 included, gets the headers and a log line.
    app.add_middleware(SecurityHeadersMiddleware, public_base_url=settings.public_base_url)
    app.add_middleware(AccessLogMiddleware)
    return app


def install_channels(app: FastAPI) -> None:
    """Webhooks of WhatsApp, the phone hotline and Telegram, and the outbox senders this process runs."""
    settings = get_settings()
    app.include_router(whatsapp_routes.router)  # refuses everything until TWILIO_AUTH_TOKEN is set
    app.include_router(voice_routes.router)
    if settings.telegram_bot_token:
        app.include_router(telegram_webhook.router)
    register_channel_senders(settings)


app = create_app()
