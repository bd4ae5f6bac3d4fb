"""Audit trail and live events: what consoles are told, and the record kept of every action."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from api.cases.models import AuditEvent, Case, LiveEvent, Operator
from api.core.clock import utcnow
from api.db import rows_changed

# Live events are only for consoles that are connected now; older ones are pruned.
LIVE_EVENT_RETENTION = timedelta(hours=6)


def audit(session: Session, action: str, case: Case | None = None, operator: Operator | None = None,
          actor: str | None = None, **details: Any) -> AuditEvent:
    """Record an action (details hold ids and codes only, never message text or numbers)."""
    event = AuditEvent(action=action, case_id=case.id if case is not None else None,
                       actor_operator_id=operator.id if operator is not None else None,
                       actor=actor or ("operator" if operator is not None else "system"), details=details)
    session.add(event)
    return event


def emit_live_event(session: Session, case: Case, kind: str, association_id: int | None = None,
                    **payload: Any) -> LiveEvent:
    """Tell the consoles of the case's association (committed with the caller's transaction).

    Callers that know the association pass it, sparing a query for the case's queue.
    """
    if association_id is None:
        association_id = case.queue.association_id
    event = LiveEvent(association_id=association_id, kind=kind, case_id=case.id,
                      payload={"case_id": case.id, "reference": case.reference, "status": case.status,
                               "triage_level": case.triage_level, **payload})
    session.add(event)
    return event


def audit_and_live_event(session: Session, action: str, case: Case, operator: Operator, kind: str,
                         association_id: int | None, **details: Any) -> None:
    """Audit an operator's action on a case and tell the consoles, in one round trip on PostgreSQL.

    Operator actions (claim-next above all) run under load: on PostgreSQL both rows go in one
    statement (the audit insert as a data-modifying CTE); elsewhere they are added to the session.
    Same rows as `audit` + `emit_live_event` (no `association_id`: the case's queue's, as there).
    """
    if session.get_bind().dialect.name != "postgresql":
        audit(session, action, case, operator, **details)
        emit_live_event(session, case, kind, association_id=association_id)
        return
    if association_id is None:
        association_id = case.queue.association_id
    now = utcnow()
    audit_row = insert(AuditEvent).values(
        action=action, case_id=case.id, actor_operator_id=operator.id, actor="operator", at=now,
        details=details).cte("audit_row")
    session.execute(insert(LiveEvent).add_cte(audit_row).values(
        association_id=association_id, kind=kind, case_id=case.id, created_at=now,
        payload={"case_id": case.id, "reference": case.reference, "status": case.status,
                 "triage_level": case.triage_level}))


def latest_live_event_id(session: Session) -> int:
    """The id a new console stream starts after (it only wants what happens from now on)."""
    return session.scalar(select(func.max(LiveEvent.id))) or 0


def live_events_since(session: Session, association_id: int, after_id: int, limit: int = 100) -> list[LiveEvent]:
    """Events of one association newer than `after_id`, oldest first."""
    return list(session.scalars(
        select(LiveEvent).where(LiveEvent.association_id == association_id, LiveEvent.id > after_id)
        .order_by(LiveEvent.id).limit(limit)))


def prune_live_events(session: Session, now: datetime | None = None) -> int:
    """Delete live events older than the retention; returns how many went."""
    cutoff = (now or utcnow()) - LIVE_EVENT_RETENTION
    return rows_changed(session, delete(LiveEvent).where(LiveEvent.created_at < cutoff))
