"""The login rate limiter (slowapi): one budget per client address shared by every route that checks a password."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from slowapi import Limiter
from starlette.requests import Request

from api.auth.deps import client_address
from api.core.config import get_settings

# The console form, the JSON login and the password change draw on the same budget.
LOGIN_SCOPE = "login"


@lru_cache
def get_limiter() -> Limiter:
    """One limiter per process; its storage (memory or Redis) comes from the settings."""
    return Limiter(key_func=_client_key, storage_uri=get_settings().rate_limit_storage_uri)


def _client_key(request: Request) -> str:
    return client_address(request)


def login_limit() -> str:
    """The configured login limit, e.g. "10/minute" (read at request time so tests can lower it)."""
    return get_settings().login_rate_limit


def limit_logins() -> Callable[..., Any]:
    """The decorator every password-checking route wears."""
    return get_limiter().shared_limit(login_limit, scope=LOGIN_SCOPE)
