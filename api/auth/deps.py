"""FastAPI dependencies: the logged-in operator (with CSRF on writes), role checks, the bot's service token."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from api.cases.errors import Forbidden, Unauthorized
from api.cases.models import Operator
from api.core.config import get_settings
from api.db import get_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def start_session(request: Request, operator: Operator) -> str:
    """Put the operator in a fresh signed session cookie; returns the CSRF token for the pages."""
    request.session.clear()
    token = secrets.token_urlsafe(32)
    request.session.update({"operator_id": operator.id, "csrf": token})
    return token


def csrf_token(request: Request) -> str:
    """The session's CSRF token (pages put it in a meta tag; scripts send it back in a header)."""
    return str(request.session.get("csrf", ""))


def session_operator(request: Request, session: Session) -> Operator | None:
    """The operator of the session cookie, or None (also when the account was deactivated)."""
    operator_id = request.session.get("operator_id")
    operator = session.get(Operator, operator_id) if isinstance(operator_id, int) else None
    if operator is None or not operator.active:
        return None
    return operator


def current_operator(request: Request, session: Session = Depends(get_session)) -> Operator:
    """The logged-in operator; writes must also carry the session's CSRF token in a header."""
    operator = session_operator(request, session)
    if operator is None:
        raise Unauthorized("not_authenticated", "Log in to the console first.")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, csrf_token(request)):
            raise Forbidden("csrf_token_invalid", "Missing or wrong CSRF token; reload the page.")
    return operator


def require_role(*roles: str) -> Callable[..., Operator]:
    """A dependency admitting only operators with one of `roles`."""

    def dependency(operator: Operator = Depends(current_operator)) -> Operator:
        if operator.role not in roles:
            raise Forbidden("role_required", f"This needs one of the roles: {', '.join(roles)}.")
        return operator

    return dependency


def require_service_token(authorization: str = Header(default="")) -> None:
    """Only the action server (holding SERVICE_TOKEN) may create referrals."""
    scheme, _, token = authorization.partition(" ")
    expected = get_settings().service_token
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("invalid_service_token", "A valid service token is required.")
