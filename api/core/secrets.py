"""Refuse to start with a missing, published or short secret unless APP_ENV=development.

Every app-side process (the API, the Telegram bridge) calls `require_strong_secrets` before it
serves anything. The laptop defaults in `api/core/config.py` are public (they are in this
repository), so outside development mode each secret must be set, at least 32 characters long,
and the encryption keys must be real Fernet keys.
"""

from __future__ import annotations

import base64
import binascii

from api.core.config import (
    DEV_ACTION_SERVER_TOKEN,
    DEV_NLG_TOKEN,
    DEV_RASA_AUTH_TOKEN,
    DEV_SECRET_KEY,
    DEV_SERVICE_TOKEN,
    Settings,
)

MIN_SECRET_LENGTH = 32
DEVELOPMENT = "development"
# Values that were ever published as defaults: never acceptable outside development mode.
PUBLISHED_DEFAULTS = frozenset({DEV_SECRET_KEY, DEV_SERVICE_TOKEN, DEV_RASA_AUTH_TOKEN, DEV_NLG_TOKEN,
                                DEV_ACTION_SERVER_TOKEN})
HOW_TO_FIX = (
    "Set each to a random value of at least {n} characters, e.g.\n"
    "  python3 -c 'import secrets; print(secrets.token_urlsafe(32))'\n"
    "and ENCRYPTION_KEYS to a Fernet key (python -m api.cli new-encryption-key).\n"
    "On a laptop, `make run` writes strong ones to .env for you (with APP_ENV=development)."
)


class InsecureSecrets(SystemExit):
    """The process stops with a message naming the secrets to set (SystemExit: no traceback)."""


def is_development(settings: Settings) -> bool:
    """Whether the laptop defaults are allowed (APP_ENV=development)."""
    return settings.app_env.strip().lower() == DEVELOPMENT


def weak_secret(value: str) -> bool:
    """Missing, a published default, or too short to resist guessing."""
    return not value or value in PUBLISHED_DEFAULTS or len(value) < MIN_SECRET_LENGTH


def is_fernet_key(value: str) -> bool:
    """A Fernet key is 32 bytes in urlsafe base64."""
    try:
        return len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def encryption_keys(settings: Settings) -> list[str]:
    """The configured Fernet keys, first (the one that encrypts) first."""
    return [key.strip() for key in settings.encryption_keys.split(",") if key.strip()]


def weak_secrets(settings: Settings) -> list[str]:
    """The names of the settings that would be refused outside development mode."""
    named = {"SECRET_KEY": settings.secret_key, "SERVICE_TOKEN": settings.service_token,
             "RASA_AUTH_TOKEN": settings.rasa_auth_token, "NLG_TOKEN": settings.nlg_token,
             "ACTION_SERVER_TOKEN": settings.action_server_token}
    weak = [name for name, value in named.items() if weak_secret(value)]
    keys = encryption_keys(settings)
    if not keys or not all(is_fernet_key(key) for key in keys):
        weak.append("ENCRYPTION_KEYS")
    return weak


def require_strong_secrets(settings: Settings, process: str) -> None:
    """Stop `process` with a clear message if a secret is weak and this is not development mode."""
    if is_development(settings):
        return
    weak = weak_secrets(settings)
    if weak:
        raise InsecureSecrets(
            f"{process} refuses to start: {', '.join(weak)} {'is' if len(weak) == 1 else 'are'} missing, "
            f"a published default or too short (APP_ENV={settings.app_env!r} is not 'development').\n"
            + HOW_TO_FIX.format(n=MIN_SECRET_LENGTH))
