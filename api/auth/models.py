"""Tables of operator authentication: login failures per client and account (sessions: api/cases/models.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.db import Base


class LoginThrottle(Base):
    """Wrong passwords from one client address for one account (known or not), and the lock they earned.

    `key` is a keyed hash of the address and the email, so neither is stored.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
