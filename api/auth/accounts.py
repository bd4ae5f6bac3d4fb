"""Operator accounts: creating, logging in (with a per-client lockout), changing a password, deactivating."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.passwords import DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from api.auth.sessions import close_operator_sessions
from api.auth.throttle import clear_failures, locked, record_failure, throttle_key
from api.cases.events import audit
from api.cases.models import Operator
from api.core.clock import utcnow
from api.core.codes import Role
from api.core.errors import Conflict, NotFound, Unauthorized
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event

logger = logging.getLogger(__name__)

# `editor`: keeps the services directory (api/directory); sees no case.
ROLES: tuple[Role, ...] = tuple(Role)
# One answer for unknown, deactivated, wrong and locked: which one it was is nobody's business at the door.
INVALID_CREDENTIALS = "Wrong email or password, or too many attempts: wait a few minutes and try again."


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def role_of(code: str) -> Role:
    """The role a request names; 409 for a code that is none."""
    try:
        return Role(code)
    except ValueError:
        raise Conflict("unknown_role", f"Role must be one of {', '.join(ROLES)}.") from None


def create_operator(session: Session, email: str, password: str, role: str = Role.OPERATOR,
                    association_id: int | None = None, languages: list[str] | None = None) -> Operator:
    """Add an operator account (not committed); refuses weak passwords, unknown roles and duplicates."""
    known_role = role_of(role)
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
    operator = Operator(email=email, hashed_password=hash_password(password), role=known_role,
                        association_id=association_id, languages=list(languages or []))
    session.add(operator)
    session.flush()
    audit(session, "operator_created", actor="system", operator_id=operator.id, role=known_role)
    return operator


def authenticate(session: Session, email: str, password: str, client: str, now: datetime | None = None) -> Operator:
    """The operator for these credentials (committed bookkeeping), else 401 `invalid_credentials`.

    Unknown, deactivated, wrong and locked (api/auth/throttle.py: per client and account) all get
    the same error after the same work (one Argon2 verification), so an answer reveals nothing.
    """
    now = now or utcnow()
    email = normalise_email(email)
    key = throttle_key(client, email)
    operator = session.scalar(select(Operator).where(Operator.email == email))
    usable = operator is not None and operator.active
    valid = verify_password(password, operator.hashed_password if usable and operator else DUMMY_HASH)
    is_locked = locked(session, key, now)
    if usable and valid and not is_locked and operator is not None:
        clear_failures(session, key)
        audit(session, "login", operator=operator)
        session.commit()
        log_event(logger, "login", operator_id=operator.id)
        return operator
    reason = "locked" if is_locked else ("unknown_account" if not usable else "wrong_password")
    # The right password during a lock is refused but not counted: only guesses lengthen the wait.
    started_lock = False if (is_locked and valid) else record_failure(session, key, now)
    if usable and operator is not None:
        audit(session, "login_failed", operator=operator, reason=reason)
        if started_lock:
            audit(session, "login_locked_for_client", operator=operator)
    session.commit()
    log_event(logger, "login_failed", operator_id=operator.id if usable and operator else None, reason=reason)
    raise Unauthorized("invalid_credentials", INVALID_CREDENTIALS)


def change_password(session: Session, operator: Operator, current: str, new: str, client: str) -> None:
    """Set a new password (committed) and end every session of the operator; the caller opens a new one.

    A wrong current password counts as a failed login of this client for this account.
    """
    now = utcnow()
    key = throttle_key(client, operator.email)
    valid = verify_password(current, operator.hashed_password)
    if not valid or locked(session, key, now):
        if not valid:
            record_failure(session, key, now)
        audit(session, "password_change_refused", operator=operator)
        session.commit()
        raise Unauthorized("invalid_credentials", INVALID_CREDENTIALS)
    if len(new) < MIN_PASSWORD_LENGTH:
        raise Conflict("weak_password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    operator.hashed_password = hash_password(new)
    ended = close_operator_sessions(session, operator.id)
    clear_failures(session, key)
    audit(session, "password_changed", operator=operator, sessions_ended=ended)
    session.commit()
    log_event(logger, "password_changed", operator_id=operator.id, sessions_ended=ended)


def deactivate_operator(session: Session, admin: Operator, operator_id: int) -> Operator:
    """Deactivate an account of the admin's association (committed) and end its sessions at once."""
    target = session.get(Operator, operator_id)
    if target is None or target.association_id != admin.association_id:
        raise NotFound("operator_not_found", "No such operator in your association.")
    if target.id == admin.id:
        raise Conflict("cannot_deactivate_self", "Ask another admin to deactivate your own account.")
    target.active = False
    ended = close_operator_sessions(session, target.id)
    audit(session, "operator_deactivated", operator=admin, target_operator_id=target.id, sessions_ended=ended)
    session.commit()
    log_event(logger, "operator_deactivated", operator_id=target.id, sessions_ended=ended)
    return target
