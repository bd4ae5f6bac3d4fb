"""Re-encrypts every stored secret value with the first of ENCRYPTION_KEYS (the rotation's middle step)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.cases.models import Case
from api.crypto import reencrypt
from api.outbox.models import ChannelIdentity

# Every column holding a value written by api.crypto.encrypt (a new one must be listed here).
ENCRYPTED_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    ChannelIdentity.encrypted_address,
    Case.callback_number_encrypted,
)
BATCH = 500


def rotate_encryption(session: Session) -> int:
    """Re-encrypt each encrypted value with the current first key, committing per batch; returns the count.

    Safe to run twice and to interrupt: a value already under the first key is simply encrypted again.
    """
    rotated = 0
    for column in ENCRYPTED_COLUMNS:
        model = column.class_
        last = None
        while True:
            key_column = model.__mapper__.primary_key[0]
            query = select(model).where(column.is_not(None)).order_by(key_column).limit(BATCH)
            if last is not None:
                query = query.where(key_column > last)
            rows = session.scalars(query).all()
            if not rows:
                break
            for row in rows:
                setattr(row, column.key, reencrypt(getattr(row, column.key)))
                last = getattr(row, key_column.key)
            rotated += len(rows)
            session.commit()
    return rotated
