"""Earlier cases of the same person: same pseudonymous conversation id (a phone caller's is their number's).

Only cases in the operator's association's queues are listed (the same scoping as every case,
api/cases/access.py); another association's cases stay invisible. What is shown is what the case
page of each would show an operator: reference, level, status, outcome and notes, never a number.
An erased person has no conversation id any more, so nothing links their cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cases.access import CASE_ROLES
from api.cases.models import Case, CaseNote, Operator, Queue
from api.core.clock import as_utc
from api.core.codes import CaseStatus, Outcome, TriageLevel

PREVIOUS_CASES_SHOWN = 10


@dataclass(frozen=True)
class PreviousCase:
    """One earlier case of the person, with its outcome and notes."""

    id: int
    reference: str
    channel: str
    triage_level: TriageLevel
    status: CaseStatus
    outcome: Outcome | None
    created_at: datetime
    notes: tuple[str, ...]


def previous_cases(session: Session, operator: Operator, case: Case,
                   limit: int = PREVIOUS_CASES_SHOWN) -> list[PreviousCase]:
    """The person's other cases visible to the operator, newest first."""
    if case.conversation_id is None or operator.association_id is None or operator.role not in CASE_ROLES:
        return []
    queues = select(Queue.id).where(Queue.association_id == operator.association_id)
    rows = list(session.scalars(
        select(Case).where(Case.conversation_id == case.conversation_id, Case.id != case.id,
                           Case.queue_id.in_(queues))
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)))
    notes: dict[int, list[str]] = {}
    if rows:
        for note in session.scalars(select(CaseNote).where(CaseNote.case_id.in_([r.id for r in rows]))
                                    .order_by(CaseNote.id)):
            notes.setdefault(note.case_id, []).append(note.text)
    return [PreviousCase(id=r.id, reference=r.reference, channel=r.channel, triage_level=r.triage_level,
                         status=r.status, outcome=r.outcome, created_at=as_utc(r.created_at),
                         notes=tuple(notes.get(r.id, []))) for r in rows]
