"""The one clock of the app: timezone-aware UTC now, and a column type that always gives UTC back.

Every stored time is UTC. PostgreSQL keeps the zone; SQLite hands back naive datetimes, so the
column type attaches UTC to what it reads: no model, view or API answer ever sees a naive time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware now."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (a naive one is UTC already: that is how it was stored)."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that reads back aware UTC datetimes on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)
