"""The supervisor board: who holds what, who waits at which level and in which language, service-level
breaches and the median answer time (minutes from a case's creation to its claim) of the last 24 hours."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cases.access import CASE_ROLES, HELD_STATUSES
from api.cases.models import Case, Operator, Queue
from api.cases.service_levels import is_breached
from api.cases.triage import LEVELS, OTHER
from api.core.clock import as_utc, utcnow
from api.core.codes import CaseStatus, Role, TriageLevel

ANSWER_WINDOW = timedelta(hours=24)


class HolderOut(BaseModel):
    """An operator of the association and the open cases they hold."""

    operator_id: int
    email: str
    role: Role
    languages: list[str]
    max_cases: int | None
    held: int
    references: list[str]


class BreachOut(BaseModel):
    """A waiting case past its level's target."""

    case_id: int
    reference: str
    triage_level: TriageLevel
    language: str
    minutes_waiting: float
    sla_minutes: int


class BoardOut(BaseModel):
    """Everything the board draws; `generated_at` says when it was computed."""

    generated_at: datetime
    sla_targets: dict[str, int]
    waiting_by_level: dict[str, int]
    waiting_by_language: dict[str, int]
    breaches_by_level: dict[str, int]
    breaches: list[BreachOut]
    median_answer_minutes: float | None
    answered_last_24h: int
    holders: list[HolderOut]


def supervisor_board(session: Session, association_id: int, targets: dict[str, int],
                     now: datetime | None = None) -> BoardOut:
    """The board of one association's queues at `now`."""
    now = now or utcnow()
    queue_ids = select(Queue.id).where(Queue.association_id == association_id)
    waiting = session.execute(select(Case.id, Case.reference, Case.triage_level, Case.language, Case.created_at)
                              .where(Case.queue_id.in_(queue_ids), Case.status == CaseStatus.QUEUED)
                              .order_by(Case.created_at)).all()
    by_level: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    breaches: list[BreachOut] = []
    for case_id, reference, level, language, created in waiting:
        by_level[level] += 1
        by_language[language] += 1
        if is_breached(CaseStatus.QUEUED, created, level, targets, now):
            breaches.append(BreachOut(
                case_id=case_id, reference=reference, triage_level=level, language=language,
                minutes_waiting=round((now - as_utc(created)).total_seconds() / 60, 1),
                sla_minutes=targets.get(level, targets[OTHER])))
    breaches.sort(key=lambda b: (LEVELS.index(b.triage_level) if b.triage_level in LEVELS else len(LEVELS),
                                 -b.minutes_waiting))
    answered = session.execute(select(Case.created_at, Case.claimed_at).where(
        Case.queue_id.in_(queue_ids), Case.claimed_at.is_not(None), Case.claimed_at >= now - ANSWER_WINDOW)).all()
    answer_minutes = [max((as_utc(claimed) - as_utc(created)).total_seconds() / 60, 0.0)
                      for created, claimed in answered if claimed is not None]
    return BoardOut(
        generated_at=now, sla_targets=targets,
        waiting_by_level={level: by_level.get(level, 0) for level in LEVELS},
        waiting_by_language=dict(by_language.most_common()),
        breaches_by_level={level: sum(1 for b in breaches if b.triage_level == level) for level in LEVELS},
        breaches=breaches,
        median_answer_minutes=round(statistics.median(answer_minutes), 1) if answer_minutes else None,
        answered_last_24h=len(answer_minutes),
        holders=_holders(session, association_id, queue_ids))


def _holders(session: Session, association_id: int, queue_ids) -> list[HolderOut]:  # type: ignore[no-untyped-def]
    operators = session.scalars(select(Operator).where(
        Operator.association_id == association_id, Operator.active.is_(True), Operator.role.in_(CASE_ROLES))
        .order_by(Operator.email)).all()
    held: dict[int, list[str]] = {}
    for operator_id, reference in session.execute(
            select(Case.assigned_operator_id, Case.reference)
            .where(Case.queue_id.in_(queue_ids), Case.status.in_(HELD_STATUSES)).order_by(Case.claimed_at)):
        if operator_id is not None:
            held.setdefault(operator_id, []).append(reference)
    return [HolderOut(operator_id=o.id, email=o.email, role=o.role, languages=list(o.languages or []),
                      max_cases=o.max_cases, held=len(held.get(o.id, [])), references=held.get(o.id, []))
            for o in operators]

