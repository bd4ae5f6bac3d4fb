"""Callback numbers typed in a conversation: kept encrypted by the gateway, handed only to a callback case."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.core.clock import utcnow
from api.crypto import decrypt, encrypt
from api.privacy.models import CapturedContact


def capture_number(session: Session, conversation_id: str, number: str) -> None:
    """Keep the number the person just typed (the latest one wins); the caller commits."""
    row = session.get(CapturedContact, conversation_id)
    if row is None:
        session.add(CapturedContact(conversation_id=conversation_id, encrypted_number=encrypt(number)))
    else:
        row.encrypted_number, row.captured_at = encrypt(number), utcnow()


def take_captured_number(session: Session, conversation_id: str) -> str | None:
    """The captured number, removed from the table (it now belongs to a case); the caller commits."""
    row = session.get(CapturedContact, conversation_id)
    if row is None:
        return None
    number = decrypt(row.encrypted_number)
    session.delete(row)
    return number


def forget_captured_number(session: Session, conversation_id: str) -> None:
    """Drop the captured number of a conversation (erasure); the caller commits."""
    session.execute(delete(CapturedContact).where(CapturedContact.conversation_id == conversation_id))
