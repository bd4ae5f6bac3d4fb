"""Gateway test fixtures: a migrated database copy, a fake Rasa, fake Twilio and Telegram clouds."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import get_settings
from api.db import get_engine, get_sessionmaker
from api.gateways import telegram, whatsapp
from api.gateways.telegram_handlers import TelegramApplication
from api.outbox import delivery as outbound
from api.outbox.delivery import register_sender
from api.routes.whatsapp import router as whatsapp_router
from tests.api.cases.fixtures import sqlite_template  # noqa: F401  (one migrated file for every API suite)
from tests.fakes.rasa import FakeRasaWithEvents, running_fake_rasa
from tests.fakes.server import reset_state
from tests.fakes.telegram import FakeTelegram, running_fake_telegram
from tests.fakes.twilio import FakeTwilio, running_fake_twilio
from tests.support.app_db import reset_caches

PUBLIC_BASE_URL = "https://hotline.example.org"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
WHATSAPP_FROM = "whatsapp:+14155238886"
TELEGRAM_TOKEN = "123456:TEST-token-for-the-fake-bot-api"
TELEGRAM_SECRET = "webhook-secret-for-tests"


@dataclass
class Clouds:
    """The fakes a gateway test talks to."""

    rasa: FakeRasaWithEvents
    twilio: FakeTwilio
    telegram: FakeTelegram


@pytest.fixture(scope="session")
def running_clouds() -> Iterator[Clouds]:
    """Fake Rasa, Twilio and Telegram servers on free local ports, started once."""
    with running_fake_rasa() as rasa, running_fake_twilio(TWILIO_SID, TWILIO_TOKEN) as twilio, \
            running_fake_telegram(TELEGRAM_TOKEN) as telegram:
        yield Clouds(rasa=rasa, twilio=twilio, telegram=telegram)


@pytest.fixture
def clouds(running_clouds: Clouds) -> Clouds:
    """The fakes, as new: nothing received, default replies."""
    reset_state(running_clouds.rasa)
    reset_state(running_clouds.twilio, keep=("url", "account_sid", "auth_token"))
    reset_state(running_clouds.telegram, keep=("url", "token"))
    return running_clouds


@pytest.fixture
def factory(tmp_path: Path, sqlite_template: Path, clouds: Clouds,  # noqa: F811
            monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """The app's settings pointed at a fresh database and at the fakes; no outbox sender registered."""
    db = tmp_path / "app.db"
    shutil.copy(sqlite_template, db)
    env = {
        "DATABASE_URL": f"sqlite:///{db}", "RASA_URL": clouds.rasa.url, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_API_BASE": clouds.twilio.url, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": clouds.telegram.base_url,
        "TELEGRAM_API_FILE_URL": f"{clouds.telegram.url}/file/bot", "HOTLINE_HOURS": "",
        "TWILIO_VOICE_WORKFLOW_SID": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(outbound, "_senders", {})
    reset_caches()
    try:
        yield get_sessionmaker()
    finally:
        get_engine().dispose()
        monkeypatch.undo()
        reset_caches()


@pytest.fixture
async def bridge(factory: sessionmaker[Session]) -> AsyncIterator[TelegramApplication]:
    """The Telegram bridge's Application on the test's database, initialised against the fake Bot API."""
    application = telegram.build_application(get_settings(), factory)
    await application.initialize()
    try:
        yield application
    finally:
        await application.shutdown()


@pytest.fixture
def whatsapp_client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """The WhatsApp webhook's app on the test's database, its replies sent through the fake Twilio."""
    from tests.api.gateways.webhook_requests import gateway_app  # it reads this module's constants

    register_sender(whatsapp.CHANNEL, whatsapp.send_whatsapp)
    with TestClient(gateway_app(whatsapp_router)) as test_client:
        yield test_client
