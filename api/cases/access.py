"""Who may see and act on a case: association scoping, holders and roles, the status lifecycle."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cases.models import Case, Operator, Queue
from api.core.codes import CaseStatus, Role
from api.core.errors import Conflict, Forbidden, NotFound

OPEN_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.QUEUED, CaseStatus.CLAIMED, CaseStatus.WAITING_PERSON)
HELD_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.CLAIMED, CaseStatus.WAITING_PERSON)
FINAL_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.REFERRED, CaseStatus.RESOLVED, CaseStatus.CLOSED)
SUPERVISING_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Roles that work on cases; an `editor` keeps the services directory and sees no case.
CASE_ROLES: frozenset[Role] = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})

# queued → claimed → waiting_person → referred/resolved/closed; "queued" again after a transfer
# to a queue, "claimed" → "claimed" when handed to another operator.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.QUEUED: frozenset({CaseStatus.CLAIMED, CaseStatus.CLOSED}),
    CaseStatus.CLAIMED: frozenset({CaseStatus.CLAIMED, CaseStatus.WAITING_PERSON, CaseStatus.QUEUED, *FINAL_STATUSES}),
    CaseStatus.WAITING_PERSON: frozenset({CaseStatus.CLAIMED, CaseStatus.QUEUED, *FINAL_STATUSES}),
    CaseStatus.REFERRED: frozenset(),
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.CLOSED: frozenset(),
}


def can_transition(current: CaseStatus, new: CaseStatus) -> bool:
    """Whether the lifecycle allows going from `current` to `new`."""
    return new in ALLOWED_TRANSITIONS.get(current, frozenset())


def move_to(case: Case, new_status: CaseStatus) -> None:
    """Change the status, refusing transitions the lifecycle does not allow."""
    if not can_transition(case.status, new_status):
        raise Conflict("invalid_transition", f"A {case.status} case cannot become {new_status}.")
    case.status = new_status


def visible_case(session: Session, operator: Operator, case_id: int, *, for_update: bool = False) -> Case:
    """The case if it is in one of the operator's association's queues; 404 otherwise.

    Another association's case answers exactly like a missing one, so its existence is not revealed.
    """
    query = (select(Case).join(Queue, Case.queue_id == Queue.id)
             .where(Case.id == case_id, Queue.association_id == operator.association_id))
    if for_update:
        query = query.with_for_update(of=Case)
    case = session.scalar(query) if operator.association_id is not None and operator.role in CASE_ROLES else None
    if case is None:
        raise NotFound("case_not_found", "No such case in your association's queues.")
    return case


def held_case(session: Session, operator: Operator, case_id: int) -> Case:
    """The case if the operator holds it (or supervises its association) and it is still open."""
    case = visible_case(session, operator, case_id, for_update=True)
    if case.status not in HELD_STATUSES:
        raise Conflict("case_not_open", f"The case is {case.status}; claim it first or reopen it.")
    if case.assigned_operator_id != operator.id and operator.role not in SUPERVISING_ROLES:
        raise Forbidden("case_held_by_another_operator", "Another operator holds this case.")
    return case
