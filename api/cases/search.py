"""Searching an association's cases: by reference, language, town, level, status and creation date.

Without a status the search is the queue (open cases, most urgent first); with one it also finds
final cases, newest first, at most `limit` of them. Every filter is applied in SQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.cases.access import OPEN_STATUSES
from api.cases.models import Case, Operator
from api.cases.triage import effective_priority_sql
from api.cases.workflow import association_queue_ids
from api.core.clock import utcnow
from api.core.codes import CaseStatus, TriageLevel
from api.core.languages import SUPPORTED_LANGUAGES

# One status, or every open one (the queue), or all of them.
StatusCode = CaseStatus | Literal["open", "all"]


def iso_day(value: object) -> object:
    """Only `YYYY-MM-DD` is a day here (lax parsing would take `0` as the Unix epoch)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[date, BeforeValidator(iso_day)]


class CaseFilter(BaseModel):
    """The queue's search form (query parameters); an empty field does not filter."""

    model_config = ConfigDict(extra="forbid")

    reference: str | None = Field(default=None, max_length=16, pattern=r"^[A-Za-z0-9-]*$",
                                  description="the beginning of a reference code, e.g. MS-7K")
    language: Literal[SUPPORTED_LANGUAGES] | None = None  # type: ignore[valid-type]
    city: str | None = Field(default=None, max_length=120, pattern=r"^[^\x00]*$")
    level: TriageLevel | None = None
    status: StatusCode = "open"
    since: IsoDay | None = Field(default=None, description="created on or after this day (UTC)")
    until: IsoDay | None = Field(default=None, description="created on or before this day (UTC)")
    limit: int = Field(default=200, ge=1, le=1000, description="at most this many cases (not for the open queue)")

    @model_validator(mode="after")
    def _dates_in_order(self) -> CaseFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("`since` must be on or before `until`")
        return self

    def normalised(self) -> CaseFilter:
        """Empty strings (a form left blank) mean no filter."""
        return self.model_copy(update={
            "reference": (self.reference or "").strip().upper() or None,
            "city": (self.city or "").strip().lower() or None})


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def search_cases(session: Session, operator: Operator, filters: CaseFilter,
                 now: datetime | None = None) -> list[tuple[Case, float]]:
    """Cases of the operator's association matching every filter, with their effective priority."""
    now = now or utcnow()
    f = filters.normalised()
    priority = effective_priority_sql(Case.base_priority, Case.created_at, now).label("effective_priority")
    query = select(Case, priority).where(Case.queue_id.in_(association_queue_ids(operator)))
    if f.status == "open":
        query = query.where(Case.status.in_(OPEN_STATUSES))
    elif f.status != "all":
        query = query.where(Case.status == f.status)
    if f.reference:
        query = query.where(Case.reference.startswith(f.reference, autoescape=True))
    if f.language:
        query = query.where(Case.language == f.language)
    if f.city:
        query = query.where(func.lower(Case.city) == f.city)
    if f.level:
        query = query.where(Case.triage_level == f.level)
    if f.since:
        query = query.where(Case.created_at >= _day_start(f.since))
    if f.until:
        query = query.where(Case.created_at < _day_start(f.until + timedelta(days=1)))
    if f.status == "open":
        query = query.order_by(priority.desc(), Case.created_at, Case.id)
    else:
        query = query.order_by(Case.created_at.desc(), Case.id.desc()).limit(f.limit)
    return [(case, float(value)) for case, value in session.execute(query)]
