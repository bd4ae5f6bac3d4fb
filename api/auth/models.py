"""Tables of operator authentication: server-side console sessions and login failures per client and account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.db import Base


class OperatorSession(Base):
    """One console login; the cookie holds only a random value whose SHA-256 is the id here.

    Deleting the row ends the session at once (logout, password change, deactivation).
    """

    __tablename__ = "operator_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginThrottle(Base):
    """Wrong passwords from one client address for one account (known or not), and the lock they earned.

    `key` is a keyed hash of the address and the email, so neither is stored.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
