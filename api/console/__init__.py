"""The operator console's assets, and what the app needs for it: the login limiter and the same-origin check on writes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth.deps import SESSION_COOKIE
from api.auth.limiter import get_limiter
from api.core.config import get_settings
from api.core.http_security import SameOriginWritesMiddleware

CONSOLE_DIR = Path(__file__).resolve().parent
# Writes under these paths are refused from another site even without a session cookie (login CSRF).
SAME_ORIGIN_PREFIXES = ("/console", "/api/v1/auth")


def install_console(app: FastAPI) -> None:
    """Add the login rate limiter, the same-origin check on writes and the console assets.

    Sessions are server-side (api/auth/sessions.py): the cookie holds a random value, SameSite=strict,
    HttpOnly, Secure when the public URL is https; writes also need the CSRF header.
    """
    settings = get_settings()
    app.state.limiter = get_limiter()
    app.add_middleware(SameOriginWritesMiddleware, public_base_url=settings.public_base_url,
                       allowed_origins=settings.allowed_origins, cookie_name=SESSION_COOKIE,
                       guarded_prefixes=SAME_ORIGIN_PREFIXES)
    app.mount("/console/static", StaticFiles(directory=str(CONSOLE_DIR / "static")), name="console-static")
