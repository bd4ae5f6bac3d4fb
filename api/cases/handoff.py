"""The gateway's side of a case: is an operator talking with this person, store their messages, forget them."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.cases.access import HELD_STATUSES, OPEN_STATUSES, move_to
from api.cases.events import audit, emit_live_event
from api.cases.models import Case, CaseMessage, CaseNote, utcnow
from api.core.logging import log_event

logger = logging.getLogger(__name__)


def open_case_held_by_operator(session: Session, conversation_id: str) -> Case | None:
    """The person's case an operator holds (claimed or waiting for the person), newest first, or None."""
    return session.scalar(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(HELD_STATUSES))
        .order_by(Case.id.desc()).limit(1))


def open_case_of_person(session: Session, conversation_id: str) -> Case | None:
    """The person's newest case that is not finished yet (queued or held), or None."""
    return session.scalar(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc()).limit(1))


def record_person_message(session: Session, case: Case, text: str, media_url: str | None = None) -> CaseMessage:
    """Store the person's message on the case and tell the consoles; the caller commits.

    A case waiting for the person goes back to "claimed": the ball is in the operator's court.
    """
    message = CaseMessage(case_id=case.id, direction="in", text=text, media_url=media_url)
    session.add(message)
    if case.status == "waiting_person":
        move_to(case, "claimed")
    session.flush()
    emit_live_event(session, case, "person_message", message_id=message.id)
    return message


def erase_person_data(session: Session, conversation_id: str) -> int:
    """The person's /forget: drop their messages, notes, summary and callback number; the caller commits.

    What stays is anonymous: the case's level, language, topic, town, dates, outcome and
    the audit trail, so statistics still add up. Returns how many cases were erased.
    """
    cases = list(session.scalars(select(Case).where(Case.conversation_id == conversation_id)))
    now = utcnow()
    for case in cases:
        session.execute(delete(CaseMessage).where(CaseMessage.case_id == case.id))
        session.execute(delete(CaseNote).where(CaseNote.case_id == case.id))
        case.callback_number_encrypted = None
        case.summary = None
        case.conversation_id = None
        case.erased_at = now
        if case.status in OPEN_STATUSES:
            move_to(case, "closed")
            case.outcome, case.closed_at = "other", now
        audit(session, "person_data_erased", case, actor="person")
        emit_live_event(session, case, "case_updated")
    session.flush()
    log_event(logger, "person_data_erased", cases=len(cases))
    return len(cases)
