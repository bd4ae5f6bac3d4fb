"""Supervisor statistics: who waits at which level, how long people wait, cases per language and topic.

Cases that were erased or reached their retention limit count too, from their anonymous buckets
(api/privacy/models.py: CaseStatistic): in the totals and per topic, not per language (not kept).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.cases.models import Case, Queue
from api.cases.triage import LEVELS
from api.core.clock import as_utc, utcnow
from api.core.codes import CaseStatus
from api.privacy.models import CaseStatistic


@dataclass
class AssociationStats:
    """The numbers of the stats page for one association over the last `days` days."""

    days: int
    waiting_by_level: dict[str, int]
    median_wait_minutes: float | None
    median_current_wait_minutes: float | None
    cases_total: int
    per_day_language: dict[str, dict[str, int]] = field(default_factory=dict)
    per_day_topic: dict[str, dict[str, int]] = field(default_factory=dict)



def association_stats(session: Session, association_id: int, days: int = 14,
                      now: datetime | None = None) -> AssociationStats:
    """Compute the stats of one association's queues."""
    now = now or utcnow()
    in_association = Case.queue_id.in_(select(Queue.id).where(Queue.association_id == association_id))
    waiting = dict(session.execute(
        select(Case.triage_level, func.count()).where(in_association, Case.status == CaseStatus.QUEUED)
        .group_by(Case.triage_level)).all())
    since = now - timedelta(days=days)
    rows = session.execute(
        select(Case.created_at, Case.claimed_at, Case.status, Case.language, Case.topic)
        .where(in_association, Case.created_at >= since)).all()
    waits = [(as_utc(claimed) - as_utc(created)).total_seconds() / 60 for created, claimed, *_ in rows if claimed]
    current = [(now - as_utc(created)).total_seconds() / 60 for created, _c, status, *_ in rows
               if status == CaseStatus.QUEUED]
    per_language: dict[str, Counter[str]] = {}
    per_topic: dict[str, Counter[str]] = {}
    for created, _claimed, _status, language, topic in rows:
        day = as_utc(created).date().isoformat()
        per_language.setdefault(day, Counter())[language] += 1
        per_topic.setdefault(day, Counter())[topic] += 1
    anonymous = session.execute(
        select(CaseStatistic.day, CaseStatistic.topic, func.sum(CaseStatistic.cases))
        .where(CaseStatistic.association_id == association_id, CaseStatistic.day >= since.date())
        .group_by(CaseStatistic.day, CaseStatistic.topic)).all()
    for day_value, topic, count in anonymous:
        per_topic.setdefault(day_value.isoformat(), Counter())[topic] += int(count)
    return AssociationStats(
        days=days,
        waiting_by_level={level: int(waiting.get(level, 0)) for level in LEVELS},
        median_wait_minutes=round(statistics.median(waits), 1) if waits else None,
        median_current_wait_minutes=round(statistics.median(current), 1) if current else None,
        cases_total=len(rows) + sum(int(count) for *_ignored, count in anonymous),
        per_day_language={day: dict(c) for day, c in sorted(per_language.items())},
        per_day_topic={day: dict(c) for day, c in sorted(per_topic.items())},
    )


def day_range(days: int, today: date) -> list[str]:
    """The ISO dates of the last `days` days, oldest first (charts show empty days too)."""
    return [(today - timedelta(days=offset)).isoformat() for offset in range(days - 1, -1, -1)]
