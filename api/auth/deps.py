"""FastAPI dependencies: the logged-in operator (with CSRF on writes), role checks, the bot's service token."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import Depends, Header, Request, Response
from sqlalchemy.orm import Session

from api.auth.sessions import close_session, find_session, open_session
from api.cases.models import Operator, OperatorSession
from api.core.config import Settings, get_settings, settings_on_the_loop
from api.core.errors import Forbidden, Unauthorized
from api.db import get_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "console_session"


def client_address(request: Request) -> str:
    """The client the rate limits and the lockout key on: the TCP peer, or what a trusted proxy says.

    uvicorn rewrites the peer from X-Forwarded-For only for FORWARDED_ALLOW_IPS (api/server.py).
    """
    return request.client.host if request.client else "unknown"


def start_session(request: Request, response: Response, session: Session, operator: Operator) -> str:
    """Open a server-side session (committed), set its cookie on `response`; returns the CSRF token."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        close_session(session, old)  # a login replaces whatever session this browser had
    cookie_value, row = open_session(session, operator)
    session.commit()
    settings = get_settings()
    response.set_cookie(SESSION_COOKIE, cookie_value, max_age=settings.console_session_max_age_seconds,
                        httponly=True, samesite="strict", path="/",
                        secure=settings.public_base_url.startswith("https://"))
    request.state.console_session = row
    return row.csrf_token


def end_session(request: Request, response: Response, session: Session) -> None:
    """Delete this browser's session row (committed) and its cookie."""
    cookie_value = request.cookies.get(SESSION_COOKIE)
    if cookie_value:
        close_session(session, cookie_value)
        session.commit()
    request.state.console_session = None
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def csrf_token(request: Request) -> str:
    """The session's CSRF token (pages put it in a meta tag; scripts send it back in a header)."""
    row: OperatorSession | None = getattr(request.state, "console_session", None)
    return row.csrf_token if row is not None else ""


def session_operator(request: Request, session: Session) -> Operator | None:
    """The operator of the session cookie, or None (unknown, ended or expired session, deactivated account)."""
    row = find_session(session, request.cookies.get(SESSION_COOKIE, ""))
    operator = session.get(Operator, row.operator_id) if row is not None else None
    if operator is None or not operator.active:
        request.state.console_session = None
        return None
    request.state.console_session = row
    return operator


def current_operator(request: Request, session: Session = Depends(get_session)) -> Operator:
    """The logged-in operator; writes must also carry the session's CSRF token in a header."""
    operator = session_operator(request, session)
    if operator is None:
        raise Unauthorized("not_authenticated", "Log in to the console first.")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
            raise Forbidden("csrf_token_invalid", "Missing or wrong CSRF token; reload the page.")
    return operator


def require_role(*roles: str) -> Callable[..., Operator]:
    """A dependency admitting only operators with one of `roles`."""

    def dependency(operator: Operator = Depends(current_operator)) -> Operator:
        if operator.role not in roles:
            raise Forbidden("role_required", f"This needs one of the roles: {', '.join(roles)}.")
        return operator

    return dependency


def bearer_token_matches(authorization: str, expected: str) -> bool:
    """Whether an `Authorization: Bearer <token>` header carries `expected` (constant-time)."""
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(token.encode(), expected.encode())


def require_service_token(authorization: str = Header(default="")) -> None:
    """Only the action server (holding SERVICE_TOKEN) may create referrals."""
    if not bearer_token_matches(authorization, get_settings().service_token):
        raise Unauthorized("invalid_service_token", "A valid service token is required.")


async def require_nlg_token(authorization: str = Header(default=""),
                            settings: Settings = Depends(settings_on_the_loop)) -> None:
    """Only Rasa (holding NLG_TOKEN, bot/endpoints.yml) may ask the NLG endpoint for texts.

    A coroutine, so the check runs on the event loop: a plain function would cost a thread-pool
    round on every one of Rasa's NLG calls (one per uttered response).
    """
    if not bearer_token_matches(authorization, settings.nlg_token):
        raise Unauthorized("invalid_nlg_token", "A valid NLG token is required.")
