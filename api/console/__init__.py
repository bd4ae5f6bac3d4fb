"""The operator console's assets, and the wiring of the referral backend (limits, errors, protections) into the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.auth.deps import SESSION_COOKIE
from api.auth.limiter import get_limiter
from api.core.config import get_settings
from api.core.errors import ApiError
from api.core.http_security import SameOriginWritesMiddleware

CONSOLE_DIR = Path(__file__).resolve().parent
# Writes under these paths are refused from another site even without a session cookie (login CSRF).
SAME_ORIGIN_PREFIXES = ("/console", "/api/v1/auth")


async def api_error_response(_request: Request, exc: Exception) -> JSONResponse:
    """`{"code", "detail"}` with the error's status."""
    assert isinstance(exc, ApiError)
    return JSONResponse({"code": exc.code, "detail": exc.detail}, status_code=exc.status_code)


async def rate_limited_response(_request: Request, _exc: Exception) -> JSONResponse:
    """Too many login attempts from one address."""
    return JSONResponse({"code": "rate_limited", "detail": "Too many attempts; wait a minute."}, status_code=429)


async def invalid_request_response(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming each wrong field and why, never echoing what was sent (it may be a password)."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
               "type": str(error.get("type", ""))} for error in exc.errors()]
    return JSONResponse({"code": "invalid_request", "detail": "Some fields are missing or not valid.",
                         "errors": errors}, status_code=422)


async def http_error_response(request: Request, exc: Exception) -> Response:
    """Starlette's errors, with a 405's `Allow` naming every method the path has (Starlette names one route's)."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allowed = sorted({method for route in request.app.router.routes
                          if route.matches(request.scope)[0] != Match.NONE for method in getattr(route, "methods", ())})
        return JSONResponse({"code": "method_not_allowed", "detail": "Method Not Allowed"}, status_code=405,
                            headers={"Allow": ", ".join(allowed)})
    if exc.status_code == 400:
        return JSONResponse({"code": "unreadable_body", "detail": str(exc.detail)}, status_code=400)
    return await http_exception_handler(request, exc)


def install_referral_backend(app: FastAPI) -> None:
    """Add the login rate limiter, the JSON error shapes, the same-origin check on writes and the console assets.

    Sessions are server-side (api/auth/sessions.py): the cookie holds a random value, SameSite=strict,
    HttpOnly, Secure when the public URL is https; writes also need the CSRF header.
    """
    settings = get_settings()
    app.state.limiter = get_limiter()
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(RateLimitExceeded, rate_limited_response)
    app.add_exception_handler(RequestValidationError, invalid_request_response)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    app.add_middleware(SameOriginWritesMiddleware, public_base_url=settings.public_base_url,
                       allowed_origins=settings.allowed_origins, cookie_name=SESSION_COOKIE,
                       guarded_prefixes=SAME_ORIGIN_PREFIXES)
    app.mount("/console/static", StaticFiles(directory=str(CONSOLE_DIR / "static")), name="console-static")
