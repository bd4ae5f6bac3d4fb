"""The action server's calls: escalate a person to a hotline queue (idempotent), erase a person's data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Response, status
from sqlalchemy.orm import Session

from api.auth.deps import require_service_token
from api.cases.errors import ApiError
from api.cases.intake import create_case_from_referral
from api.cases.schemas import ErasureOut, ReferralIn, ReferralOut
from api.db import checkpoint_wal, get_session
from api.privacy import erasure

router = APIRouter(prefix="/api/v1", tags=["referrals"])


@router.post("/referrals", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(require_service_token)],
             responses={200: {"model": ReferralOut, "description": "replay of an earlier request with the same key"}})
def create_referral(body: ReferralIn, response: Response,
                    idempotency_key: str = Header(default="", alias="Idempotency-Key", max_length=128),
                    session: Session = Depends(get_session)) -> ReferralOut:
    """Open a case in the queue serving the person's town; the same Idempotency-Key returns the same case."""
    if not idempotency_key.strip():
        raise ApiError("idempotency_key_required", "Send an Idempotency-Key header (a UUID per escalation).")
    case, created = create_case_from_referral(session, body, idempotency_key.strip())
    if not created:
        response.status_code = status.HTTP_200_OK
    return ReferralOut(reference=case.reference, case_id=case.id, priority=case.base_priority,
                       triage_level=case.triage_level, status=case.status)


@router.post("/persons/{conversation_id}/erase", response_model=ErasureOut,
             dependencies=[Depends(require_service_token)])
def erase_person(conversation_id: str, session: Session = Depends(get_session)) -> ErasureOut:
    """The person's /forget (actions/privacy.py): everything about them goes (api/privacy/erasure.py).

    Their cases become anonymous statistics (day, association, region, level, topic); the chat
    history leaves Rasa's tracker store once this turn is over, the channel identity once the
    confirmation is delivered. Erasing a conversation with no case is not an error: 0 cases erased.
    """
    erased = erasure.erase_person(session, conversation_id, actor="person")
    session.commit()
    checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    return ErasureOut(erased_cases=erased)
