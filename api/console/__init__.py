"""The operator console's assets, and the wiring of the referral backend (sessions, limits, errors) into the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from slowapi.errors import RateLimitExceeded
from starlette.middleware.sessions import SessionMiddleware

from api.auth.limiter import get_limiter
from api.cases.errors import ApiError
from api.core.config import get_settings

CONSOLE_DIR = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"


async def api_error_response(_request: Request, exc: Exception) -> JSONResponse:
    """`{"code", "detail"}` with the error's status."""
    assert isinstance(exc, ApiError)
    return JSONResponse({"code": exc.code, "detail": exc.detail}, status_code=exc.status_code)


async def rate_limited_response(_request: Request, _exc: Exception) -> JSONResponse:
    """Too many login attempts from one address."""
    return JSONResponse({"code": "rate_limited", "detail": "Too many attempts; wait a minute."}, status_code=429)


def install_referral_backend(app: FastAPI) -> None:
    """Add the console session cookie, the login rate limiter, the JSON error shape and the console assets.

    The cookie is signed with SECRET_KEY, SameSite=strict (with the CSRF header on writes)
    and Secure when the public URL is https.
    """
    settings = get_settings()
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=settings.console_session_max_age_seconds, same_site="strict",
                       https_only=settings.public_base_url.startswith("https://"))
    app.state.limiter = get_limiter()
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(RateLimitExceeded, rate_limited_response)
    app.mount("/console/static", StaticFiles(directory=str(CONSOLE_DIR / "static")), name="console-static")
