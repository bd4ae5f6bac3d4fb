"""The login rate limiter (slowapi), shared by the API and console login routes."""

from __future__ import annotations

from functools import lru_cache

from slowapi import Limiter
from slowapi.util import get_remote_address

from api.core.config import get_settings


@lru_cache
def get_limiter() -> Limiter:
    """One limiter per process; its storage (memory or Redis) comes from the settings."""
    return Limiter(key_func=get_remote_address, storage_uri=get_settings().rate_limit_storage_uri)


def login_limit() -> str:
    """The configured login limit, e.g. "10/minute" (read at request time so tests can lower it)."""
    return get_settings().login_rate_limit
