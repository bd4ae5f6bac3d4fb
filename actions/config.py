"""Settings of the action server, read once from the environment (defaults work on a laptop)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Laptop values, accepted only with APP_ENV=development (the same rule as api/core/secrets.py).
DEV_SERVICE_TOKEN = "dev-service-token"
DEV_ACTION_SERVER_TOKEN = "dev-only-action-server-token"
DEV_RASA_AUTH_TOKEN = "dev-only-rasa-auth-token"
DEV_NLG_TOKEN = "dev-only-nlg-token"
PUBLISHED_DEFAULTS = frozenset({DEV_SERVICE_TOKEN, DEV_ACTION_SERVER_TOKEN, DEV_RASA_AUTH_TOKEN, DEV_NLG_TOKEN,
                                "dev-only-change-me-0123456789abcdef0123456789abcdef"})
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class ActionSettings:
    """Where the referral backend and the gazetteer are, and how the outbox retries."""

    api_url: str
    service_token: str
    # The bearer token Rasa must send (bot/endpoints.yml `action_endpoint.headers`); actions/server.py checks it.
    action_server_token: str
    host: str
    port: int
    outbox_path: Path
    towns_path: Path
    request_timeout_s: float
    retry_initial_s: float
    retry_max_s: float


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else ROOT / path


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    """The settings from the environment; cached, call `get_settings.cache_clear()` after changing it."""
    return ActionSettings(
        api_url=os.environ.get("API_URL", "http://127.0.0.1:8000").rstrip("/"),
        # Same laptop default as the backend (api/core/config.py); production sets both.
        service_token=os.environ.get("SERVICE_TOKEN", DEV_SERVICE_TOKEN),
        action_server_token=os.environ.get("ACTION_SERVER_TOKEN", DEV_ACTION_SERVER_TOKEN),
        host=os.environ.get("ACTIONS_HOST", "127.0.0.1"),
        port=int(os.environ.get("ACTIONS_PORT", "5055")),
        outbox_path=_path("OUTBOX_PATH", ROOT / "var" / "actions-outbox.db"),
        towns_path=_path("TOWNS_PATH", ROOT / "data" / "towns.yml"),
        request_timeout_s=float(os.environ.get("REFERRAL_TIMEOUT_S", "5")),
        retry_initial_s=float(os.environ.get("OUTBOX_RETRY_INITIAL_S", "5")),
        retry_max_s=float(os.environ.get("OUTBOX_RETRY_MAX_S", "600")),
    )


def is_development() -> bool:
    """APP_ENV=development: the laptop defaults are accepted."""
    return os.environ.get("APP_ENV", "").strip().lower() == "development"


def weak_secrets(values: dict[str, str]) -> list[str]:
    """Names whose value is missing, a published default or shorter than MIN_SECRET_LENGTH."""
    return [name for name, value in values.items()
            if not value or value in PUBLISHED_DEFAULTS or len(value) < MIN_SECRET_LENGTH]


def require_strong_secrets(values: dict[str, str], process: str) -> None:
    """Stop `process` (SystemExit with a message naming what to set) unless the secrets are strong or in development."""
    weak = [] if is_development() else weak_secrets(values)
    if weak:
        raise SystemExit(
            f"{process} refuses to start: {', '.join(weak)} {'is' if len(weak) == 1 else 'are'} missing, a published "
            f"default or shorter than {MIN_SECRET_LENGTH} characters (APP_ENV is not 'development').\n"
            "Set each to a random value, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))';\n"
            "on a laptop `make run` writes strong ones to .env for you.")
