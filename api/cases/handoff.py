"""The gateway's side of a case: is an operator talking with this person, store their messages.

(Forgetting them is api/forgetting/erasure.py.)
"""

from __future__ import annotations

import logging
from typing import TypeVar

from sqlalchemy import BindParameter, ScalarSelect, Select, select
from sqlalchemy.orm import Session

from api.cases.access import HELD_STATUSES, OPEN_STATUSES, move_to
from api.cases.events import audit, emit_live_event
from api.cases.models import Case, CaseMessage
from api.core.codes import CaseStatus
from api.crypto import encrypt

logger = logging.getLogger(__name__)
T = TypeVar("T")


def open_case_held_by_operator(session: Session, conversation_id: str) -> Case | None:
    """The person's case an operator holds (claimed or waiting for the person), newest first, or None."""
    return session.scalar(_held(select(Case), conversation_id))


def held_case_id(conversation_id: str | BindParameter[str]) -> ScalarSelect[int]:
    """`open_case_held_by_operator`'s case id, as a column another query can read."""
    return _held(select(Case.id), conversation_id).scalar_subquery()


def _held(query: Select[T], conversation_id: str | BindParameter[str]) -> Select[T]:
    return (query.where(Case.conversation_id == conversation_id, Case.status.in_(HELD_STATUSES))
            .order_by(Case.id.desc()).limit(1))


def open_case_of_person(session: Session, conversation_id: str) -> Case | None:
    """The person's newest case that is not finished yet (queued or held), or None."""
    return session.scalar(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc()).limit(1))


def record_person_message(session: Session, case: Case, text: str, media_url: str | None = None,
                          callback_number: str | None = None, media_type: str | None = None) -> CaseMessage:
    """Store the person's (already redacted) message on the case and tell the consoles; the caller commits.

    A case waiting for the person goes back to "claimed": the ball is in the operator's court.
    A number the person typed (taken out of the text by the gateway) becomes the case's callback
    number, encrypted, for the operator holding the case to reveal.
    """
    message = CaseMessage(case_id=case.id, direction="in", text=text, media_url=media_url,
                          media_type=(media_type or "")[:64] or None if media_url else None)
    session.add(message)
    if callback_number:
        case.callback_number_encrypted = encrypt(callback_number)
        audit(session, "callback_number_given", case, actor="person")
    if case.status == CaseStatus.WAITING_PERSON:
        move_to(case, CaseStatus.CLAIMED)
    session.flush()
    emit_live_event(session, case, "person_message", message_id=message.id)
    return message
