"""Supervisor statistics over the association's queues."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.auth.deps import require_role
from api.cases.access import SUPERVISING_ROLES
from api.cases.models import Operator
from api.cases.stats import association_stats
from api.db import get_session

router = APIRouter(prefix="/api/v1", tags=["stats"], responses={401: {"description": "not logged in"},
                                                                403: {"description": "supervisors only"}})


class StatsOut(BaseModel):
    """Waiting cases per level, median waits in minutes, cases per day per language and per topic."""

    days: int
    waiting_by_level: dict[str, int]
    median_wait_minutes: float | None
    median_current_wait_minutes: float | None
    cases_total: int
    per_day_language: dict[str, dict[str, int]]
    per_day_topic: dict[str, dict[str, int]]


@router.get("/stats", response_model=StatsOut)
def stats(days: int = Query(default=14, ge=1, le=365),
          supervisor: Operator = Depends(require_role(*SUPERVISING_ROLES)),
          session: Session = Depends(get_session)) -> StatsOut:
    """Numbers for the supervisor's association over the last `days` days."""
    result = association_stats(session, supervisor.association_id or 0, days)
    return StatsOut(**result.__dict__)
