"""Claiming an outbox row: the conditional UPDATE that lets one process, and only one, take a pending message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from api.db import rows_changed
from api.outbox.models import InboundMessage, OutboundMessage


def claim_pending(session: Session, table: type[InboundMessage] | type[OutboundMessage], row_id: int,
                  **values: Any) -> bool:
    """Take row `row_id` of `table` if it is still pending: set `values`, count the attempt, commit.

    False when another process claimed it first (its status is no longer "pending"): skip it.
    """
    claimed = rows_changed(session, update(table).where(table.id == row_id, table.status == "pending")
                           .values(attempts=table.attempts + 1, **values))
    session.commit()
    return claimed > 0
