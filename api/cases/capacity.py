"""Capacity: an operator holds at most `Operator.max_cases` cases at once; claiming past it is refused.

The guard locks the operator's row before counting (see `ensure_capacity`), so two claims by the same
operator at the same moment cannot both pass it.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.cases.access import HELD_STATUSES
from api.cases.models import Case, Operator
from api.core.errors import Conflict


def held_case_count(session: Session, operator_id: int) -> int:
    """How many open cases the operator holds now."""
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.assigned_operator_id == operator_id, Case.status.in_(HELD_STATUSES))) or 0


def ensure_capacity(session: Session, operator: Operator, colleague: bool = False) -> None:
    """Refuse (409 `capacity_reached`) a claim that would take the operator past their maximum, or
    (409 `colleague_at_capacity`) a transfer to a colleague who is at theirs."""
    if session.scalar(select(Operator.max_cases).where(Operator.id == operator.id)) is None:
        return
    # A no-op write takes the operator's row lock (PostgreSQL) or the writer lock (SQLite) until the
    # claim commits: a second claim of the same operator counts after the first one's case.
    limit = session.scalar(update(Operator).where(Operator.id == operator.id)
                           .values(max_cases=Operator.max_cases).returning(Operator.max_cases)
                           .execution_options(synchronize_session=False))
    if limit is None:
        return
    held = held_case_count(session, operator.id)
    if held >= limit:
        session.rollback()
        if colleague:
            raise Conflict("colleague_at_capacity",
                           f"This colleague already holds {held} cases, their maximum of {limit}.")
        raise Conflict("capacity_reached",
                       f"You already hold {held} cases, your maximum of {limit}: "
                       "close, transfer or return one before taking another.")
