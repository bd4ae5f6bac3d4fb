"""The JSON shape of every error the app answers: `{"code", "detail"}`, installed on the app by api/main.py."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.core.errors import ApiError


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


def install_error_responses(app: FastAPI) -> None:
    """Answer the app's own errors, refused logins, invalid requests and Starlette's errors as JSON."""
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(RateLimitExceeded, rate_limited_response)
    app.add_exception_handler(RequestValidationError, invalid_request_response)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
