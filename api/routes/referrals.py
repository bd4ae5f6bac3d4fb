"""The action server's calls: escalate a person to a hotline queue (idempotent), erase a person's data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response, status
from sqlalchemy.orm import Session

from api.auth.deps import require_service_token
from api.cases.intake import create_case_from_referral
from api.cases.on_duty import speaker_on_duty
from api.cases.schemas import ErasureOut, ReferralIn, ReferralOut
from api.db import checkpoint_wal, get_session, in_database_thread, session_on_the_loop
from api.forgetting import erasure

router = APIRouter(prefix="/api/v1", tags=["referrals"],
                   responses={401: {"description": "missing or wrong service token"}})


@router.post("/referrals", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(require_service_token)],
             responses={200: {"model": ReferralOut, "description": "replay of an earlier request with the same key"}})
async def create_referral(body: ReferralIn, response: Response,
                          idempotency_key: str = Header(alias="Idempotency-Key", min_length=1, max_length=128,
                                                        pattern=r"^[!-~]+$", description="a UUID per escalation"),
                          session: Session = Depends(session_on_the_loop)) -> ReferralOut:
    """Open a case in the queue serving the person's town; the same Idempotency-Key returns the same case.

    The database work is one round on the database thread (api/db.py `in_database_thread`): on
    SQLite it waits in line with the web chat's turns instead of racing them for the write lock.
    """
    out, created = await in_database_thread(_referral, session, body, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


def _referral(session: Session, body: ReferralIn, idempotency_key: str) -> tuple[ReferralOut, bool]:
    case, created = create_case_from_referral(session, body, idempotency_key)
    out = ReferralOut(reference=case.reference, case_id=case.id, priority=case.base_priority,
                      triage_level=case.triage_level, status=case.status,
                      language_spoken_on_duty=speaker_on_duty(session, case.language, case.queue.association_id))
    return out, created


@router.post("/persons/{conversation_id}/erase", response_model=ErasureOut,
             dependencies=[Depends(require_service_token)])
def erase_person(conversation_id: Annotated[str, Path(min_length=3, max_length=64)],
                 session: Session = Depends(get_session)) -> ErasureOut:
    """The person's /forget (actions/privacy.py): everything about them goes (api/forgetting/erasure.py).

    Their cases become anonymous statistics (day, association, region, level, topic); the chat
    history leaves Rasa's tracker store once this turn is over, the channel identity once the
    confirmation is delivered. Erasing a conversation with no case is not an error: 0 cases erased.
    """
    erased = erasure.erase_person(session, conversation_id, actor="person")
    session.commit()
    checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    return ErasureOut(erased_cases=erased)
