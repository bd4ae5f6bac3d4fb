"""Strong random secrets for processes a test starts outside development mode (as production runs them)."""

from __future__ import annotations

import base64
import secrets


def strong_secrets() -> dict[str, str]:
    """Environment variables every process of a stack needs, fresh for each call."""
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "SERVICE_TOKEN": secrets.token_urlsafe(32),
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(32),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "NLG_TOKEN": secrets.token_urlsafe(32),
    }
