"""The logged-in operator's own console preferences: language (fr, en, ar) and time zone."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from api.auth.deps import current_operator
from api.cases.models import Operator
from api.console.i18n import CONSOLE_LANGUAGES
from api.core.errors import Conflict
from api.core.inputs import StrictInput, StrictText
from api.db import get_session

router = APIRouter(prefix="/api/v1/me", tags=["auth"], responses={
    401: {"description": "not logged in"}, 403: {"description": "missing CSRF token"},
    409: {"description": "unknown time zone"}})


class PreferencesIn(StrictInput):
    """What to change; `null` goes back to the default (the browser's language, the service's zone)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    console_language: Literal[CONSOLE_LANGUAGES] | None = None  # type: ignore[valid-type]
    time_zone: StrictText | None = Field(default=None, max_length=64,
                                         description="an IANA zone such as Africa/Casablanca (409 if unknown)")


class PreferencesOut(BaseModel):
    """The operator's choices (null: the default)."""

    console_language: str | None
    time_zone: str | None


@router.get("/preferences", response_model=PreferencesOut)
def preferences(operator: Annotated[Operator, Depends(current_operator)]) -> PreferencesOut:
    """My console language and time zone."""
    return PreferencesOut(console_language=operator.console_language, time_zone=operator.time_zone)


@router.patch("/preferences", response_model=PreferencesOut)
def change_preferences(body: PreferencesIn, operator: Annotated[Operator, Depends(current_operator)],
                       session: Annotated[Session, Depends(get_session)]) -> PreferencesOut:
    """Change my console language or time zone (fields left out stay as they are)."""
    if body.time_zone is not None and body.time_zone not in available_timezones():
        raise Conflict("unknown_time_zone", "Unknown time zone: use an IANA name such as Africa/Casablanca.")
    for field in body.model_fields_set:
        setattr(operator, field, getattr(body, field))
    session.commit()
    return PreferencesOut(console_language=operator.console_language, time_zone=operator.time_zone)
