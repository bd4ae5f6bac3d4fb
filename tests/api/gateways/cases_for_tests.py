"""Putting a person's case in an operator's hands, as the console would, for handoff tests."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from api.cases.intake import create_case_from_referral
from api.cases.models import Case
from api.cases.schemas import ReferralIn


def case_held_by_operator(session: Session, conversation_id: str, channel: str, language: str = "fr") -> Case:
    """A case for this conversation that an operator has claimed."""
    case, _ = create_case_from_referral(
        session, ReferralIn(conversation_id=conversation_id, channel=channel, language=language, consent=True),
        idempotency_key=str(uuid.uuid4()))
    case.status = "claimed"
    session.commit()
    return case
