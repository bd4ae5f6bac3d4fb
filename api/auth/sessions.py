"""Server-side console sessions: the cookie carries a random value, the database decides whether it is valid.

A session ends when its row goes: at logout, when the operator's password changes, when the
account is deactivated, or when it expires. A copied cookie is worth nothing after that.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.cases.models import Operator, OperatorSession
from api.core.clock import as_utc, utcnow
from api.core.config import get_settings
from api.db import rows_changed


def _session_id(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()



def open_session(session: Session, operator: Operator, now: datetime | None = None) -> tuple[str, OperatorSession]:
    """A new session for `operator` (not committed): the cookie value to send and its row."""
    now = now or utcnow()
    session.execute(delete(OperatorSession).where(OperatorSession.expires_at < now))
    cookie_value = secrets.token_urlsafe(32)
    row = OperatorSession(id=_session_id(cookie_value), operator_id=operator.id,
                          csrf_token=secrets.token_urlsafe(32), created_at=now,
                          expires_at=now + timedelta(seconds=get_settings().console_session_max_age_seconds))
    session.add(row)
    return cookie_value, row


def find_session(session: Session, cookie_value: str, now: datetime | None = None) -> OperatorSession | None:
    """The live session this cookie names, or None (unknown, ended or expired)."""
    if not cookie_value or len(cookie_value) > 128:
        return None
    row = session.get(OperatorSession, _session_id(cookie_value))
    if row is None or as_utc(row.expires_at) <= (now or utcnow()):
        return None
    return row


def close_session(session: Session, cookie_value: str) -> None:
    """End the session this cookie names (not committed)."""
    session.execute(delete(OperatorSession).where(OperatorSession.id == _session_id(cookie_value)))


def close_operator_sessions(session: Session, operator_id: int) -> int:
    """End every session of one operator (not committed); returns how many there were."""
    return rows_changed(session, delete(OperatorSession).where(OperatorSession.operator_id == operator_id))
