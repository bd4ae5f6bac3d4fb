"""The gateway fixtures (a migrated database copy, fake Rasa, Twilio and Telegram) for the privacy tests."""

from tests.api.gateways.conftest import clouds, factory, running_clouds, sqlite_template  # noqa: F401
