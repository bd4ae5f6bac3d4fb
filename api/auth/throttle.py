"""Lockout after wrong passwords, per client address and account, with a doubling wait.

Counting per account alone let anyone lock a real operator out by typing wrong passwords for
their email; here the lock only binds the client that earned it. After `login_max_failures`
failures that pair waits `login_lockout_seconds`, then twice as long at each further failure
(even during the wait), up to `login_lockout_max_seconds`. A day without failures forgets them.
Unknown emails are counted the same way, so a locked and an unknown account look alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from api.auth.models import LoginThrottle
from api.core.backoff import delay_after, exponential
from api.core.clock import as_utc
from api.core.config import get_settings
from api.crypto import pseudonym

FORGET_AFTER = timedelta(days=1)



def throttle_key(client: str, email: str) -> str:
    """A keyed hash of the client address and the (normalised) email."""
    return pseudonym("login", f"{client}\n{email}", length=52)


def locked(session: Session, key: str, now: datetime) -> bool:
    """Whether this client must wait before trying this account again."""
    row = session.get(LoginThrottle, key)
    return row is not None and row.locked_until is not None and as_utc(row.locked_until) > now


def lockout_seconds(failures: int) -> int:
    """How long `failures` consecutive failures make the client wait (0 below the threshold)."""
    settings = get_settings()
    beyond = failures - settings.login_max_failures
    if beyond < 0:
        return 0
    lockout = exponential(settings.login_lockout_seconds, settings.login_lockout_max_seconds)
    return int(delay_after(lockout, beyond + 1))


def record_failure(session: Session, key: str, now: datetime) -> bool:
    """Count one failure (not committed); True when it starts or lengthens a lock."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < now - FORGET_AFTER,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        session.add(row)
    row.failures = (row.failures or 0) + 1
    row.updated_at = now
    wait = lockout_seconds(row.failures)
    if wait:
        row.locked_until = now + timedelta(seconds=wait)
    return bool(wait)


def clear_failures(session: Session, key: str) -> None:
    """A successful login forgets this pair's failures (not committed)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
