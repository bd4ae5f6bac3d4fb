"""The supervisor board's numbers (supervisors and admins of the association)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from api.auth.deps import require_role
from api.cases.access import SUPERVISING_ROLES
from api.cases.board import BoardOut, supervisor_board
from api.cases.models import Operator
from api.cases.service_levels import sla_targets
from api.core.config import Settings, get_settings
from api.db import get_session

router = APIRouter(prefix="/api/v1", tags=["stats"], responses={401: {"description": "not logged in"},
                                                                403: {"description": "supervisors only"}})


@router.get("/board", response_model=BoardOut)
def board(supervisor: Operator = Depends(require_role(*SUPERVISING_ROLES)),
          session: Session = Depends(get_session), settings: Settings = Depends(get_settings)) -> BoardOut:
    """Who holds what, waiting per level and language, service-level breaches, median answer time."""
    return supervisor_board(session, supervisor.association_id or 0, sla_targets(settings))
