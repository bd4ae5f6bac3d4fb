"""Settings of the action server, read once from the environment (defaults work on a laptop)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ActionSettings:
    """Where the referral backend and the gazetteer are, and how the outbox retries."""

    api_url: str
    service_token: str
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
        service_token=os.environ.get("SERVICE_TOKEN", "dev-service-token"),
        outbox_path=_path("OUTBOX_PATH", ROOT / "var" / "actions-outbox.db"),
        towns_path=_path("TOWNS_PATH", ROOT / "data" / "towns.yml"),
        request_timeout_s=float(os.environ.get("REFERRAL_TIMEOUT_S", "5")),
        retry_initial_s=float(os.environ.get("OUTBOX_RETRY_INITIAL_S", "5")),
        retry_max_s=float(os.environ.get("OUTBOX_RETRY_MAX_S", "600")),
    )
