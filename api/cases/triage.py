"""Triage: the level and base priority of a case, and the waiting-time ageing used to order queues.

Rule (also in api/cases/README.md):

* ``emergency`` (base 1000): the person says it is an emergency. Always first.
* ``violence`` (base 120): violence, including sexual and gender-based violence.
* ``vulnerable`` (base 60): pregnancy, a child concerned, or no medication for HIV or tuberculosis.
* ``other`` (base 0): everything else.

A case gains one point per minute it waits (``AGEING_POINTS_PER_MINUTE``), up to
``AGEING_CAP_POINTS`` (480 points, i.e. 8 hours). So an ``other`` case overtakes a
newly arrived ``vulnerable`` case after 60 minutes and a new ``violence`` case after
120 minutes: nobody waits forever behind a stream of newer, more urgent cases. The
cap (480) is below the emergency base (1000), so a fresh emergency always comes first.
Equal effective priorities are served oldest first.

The effective priority is computed in SQL (``effective_priority_sql``) so the queue
listing and the atomic claim-next order cases the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Float, bindparam, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from api.core.codes import TriageLevel

EMERGENCY, VIOLENCE, VULNERABLE, OTHER = (TriageLevel.EMERGENCY, TriageLevel.VIOLENCE, TriageLevel.VULNERABLE,
                                          TriageLevel.OTHER)
BASE_PRIORITY: dict[TriageLevel, int] = {EMERGENCY: 1000, VIOLENCE: 120, VULNERABLE: 60, OTHER: 0}
# Most urgent first (the enum's order).
LEVELS: tuple[TriageLevel, ...] = tuple(TriageLevel)
AGEING_POINTS_PER_MINUTE = 1.0
AGEING_CAP_POINTS = 480.0


@dataclass(frozen=True)
class TriageAnswers:
    """What the escalation form learned (every flag False when the person did not say)."""

    emergency: bool = False
    violence: bool = False
    pregnant: bool = False
    child: bool = False
    no_medication: bool = False


def triage_level(answers: TriageAnswers) -> TriageLevel:
    """The most urgent level the answers justify: emergency > violence > vulnerable > other."""
    if answers.emergency:
        return EMERGENCY
    if answers.violence:
        return VIOLENCE
    if answers.pregnant or answers.child or answers.no_medication:
        return VULNERABLE
    return OTHER


def triage_priority(answers: TriageAnswers) -> tuple[TriageLevel, int]:
    """The level and the base priority of a new case."""
    level = triage_level(answers)
    return level, BASE_PRIORITY[level]


def effective_priority(base_priority: int, minutes_waiting: float) -> float:
    """Base priority plus the capped ageing bonus (the Python twin of `effective_priority_sql`)."""
    bonus = min(max(minutes_waiting, 0.0) * AGEING_POINTS_PER_MINUTE, AGEING_CAP_POINTS)
    return base_priority + bonus


class minutes_between(FunctionElement[float]):  # noqa: N801  (SQL function naming)
    """Minutes from timestamp ``start`` to timestamp ``end``, compiled for each database."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "postgresql")
def _minutes_between_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    start, end = list(element.clauses)
    # date_part gives double precision; EXTRACT gives numeric, whose arithmetic made ordering a
    # few thousand waiting cases cost ~15 ms per claim.
    return (f"(date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)})"
            " / 60.0)")


@compiles(minutes_between)
def _minutes_between_default(element, compiler, **kw):  # type: ignore[no-untyped-def]
    # SQLite stores timestamps as ISO text; julianday() reads them (days as a float).
    start, end = list(element.clauses)
    return (f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
            " * 1440.0)")


class clamped(FunctionElement[float]):  # noqa: N801  (SQL function naming)
    """``value`` kept between ``low`` and ``high``, evaluating ``value`` once (LEAST/GREATEST, or min/max)."""

    type = Float()
    inherit_cache = True


@compiles(clamped, "postgresql")
def _clamped_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    value, low, high = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"LEAST(GREATEST({value}, {low}), {high})"


@compiles(clamped)
def _clamped_default(element, compiler, **kw):  # type: ignore[no-untyped-def]
    value, low, high = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"min(max({value}, {low}), {high})"


def effective_priority_sql(base_priority: ColumnElement[int] | InstrumentedAttribute[int],
                           created_at: ColumnElement[datetime] | InstrumentedAttribute[datetime],
                           now: datetime) -> ColumnElement[float]:
    """SQL expression of the effective priority of a case at `now` (same rule as `effective_priority`)."""
    now_param = bindparam("triage_now", value=now, type_=DateTime(timezone=True))
    bonus = minutes_between(created_at, now_param) * AGEING_POINTS_PER_MINUTE
    capped = clamped(bonus, literal(0.0), literal(AGEING_CAP_POINTS))
    return func.coalesce(base_priority + capped, base_priority)
