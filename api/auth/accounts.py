"""Operator accounts: creating them, and logging in with a lockout after repeated failures."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.passwords import DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from api.cases.errors import ApiError, Conflict, Unauthorized
from api.cases.events import audit
from api.cases.models import Operator, utcnow
from api.core.config import get_settings
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event

logger = logging.getLogger(__name__)

# `editor`: keeps the services directory (api/directory); sees no case.
ROLES: tuple[str, ...] = ("operator", "supervisor", "admin", "editor")


class AccountLocked(ApiError):
    """Too many failed logins: the account waits until `locked_until`."""

    status_code = 423


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def create_operator(session: Session, email: str, password: str, role: str = "operator",
                    association_id: int | None = None, languages: list[str] | None = None) -> Operator:
    """Add an operator account (not committed); refuses weak passwords, unknown roles and duplicates."""
    if role not in ROLES:
        raise Conflict("unknown_role", f"Role must be one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Conflict("weak_password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    email = normalise_email(email)
    if "@" not in email:
        raise Conflict("invalid_email", "That is not an email address.")
    if session.scalar(select(func.count()).select_from(Operator).where(Operator.email == email)):
        raise Conflict("email_taken", "An account with this email already exists.")
    unknown = [code for code in languages or [] if code not in SUPPORTED_LANGUAGES]
    if unknown:
        raise Conflict("unknown_language", f"Unknown language codes: {', '.join(unknown)}.")
    operator = Operator(email=email, hashed_password=hash_password(password), role=role,
                        association_id=association_id, languages=list(languages or []))
    session.add(operator)
    session.flush()
    audit(session, "operator_created", actor="system", operator_id=operator.id, role=role)
    return operator


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> Operator:
    """The operator for these credentials (committed bookkeeping); 401 if wrong, 423 while locked.

    After `login_max_failures` wrong passwords in a row the account is locked for
    `login_lockout_minutes`; a locked account refuses even the right password.
    """
    settings = get_settings()
    now = now or utcnow()
    operator = session.scalar(select(Operator).where(Operator.email == normalise_email(email)))
    if operator is None or not operator.active:
        verify_password(password, DUMMY_HASH)
        log_event(logger, "login_failed", reason="unknown_account")
        raise Unauthorized("invalid_credentials", "Wrong email or password.")
    if operator.locked_until is not None and _aware(operator.locked_until) > now:
        log_event(logger, "login_refused_locked", operator_id=operator.id)
        raise AccountLocked("account_locked", "Too many failed attempts; try again later.")
    if not verify_password(password, operator.hashed_password):
        operator.failed_login_count += 1
        if operator.failed_login_count >= settings.login_max_failures:
            operator.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            operator.failed_login_count = 0
            audit(session, "account_locked", operator=operator)
        audit(session, "login_failed", operator=operator)
        session.commit()
        log_event(logger, "login_failed", operator_id=operator.id, reason="wrong_password")
        raise Unauthorized("invalid_credentials", "Wrong email or password.")
    operator.failed_login_count = 0
    operator.locked_until = None
    audit(session, "login", operator=operator)
    session.commit()
    log_event(logger, "login", operator_id=operator.id)
    return operator
