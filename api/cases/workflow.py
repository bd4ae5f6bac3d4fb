"""What operators do with cases: list the queue, claim (atomically), reply, note, refer, transfer, close."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from api.cases.access import CASE_ROLES, OPEN_STATUSES, held_case, move_to, visible_case
from api.cases.capacity import ensure_capacity
from api.cases.events import audit, audit_and_live_event
from api.cases.models import Case, CaseMessage, CaseNote, Operator, Queue, Referral
from api.cases.satisfaction import ask_satisfaction
from api.cases.triage import effective_priority_sql
from api.core.clock import utcnow
from api.core.codes import CaseStatus, Outcome
from api.core.errors import Conflict, NotFound
from api.core.languages import DEFAULT_LANGUAGE
from api.core.logging import log_event
from api.db import rows_changed
from api.nlg.render import render_response
from api.outbox.choices import forget_offered_buttons
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import OutgoingMessage

logger = logging.getLogger(__name__)

CONNECTED_NOTICE = "case.operator_connected"
CLOSED_NOTICE = "case.closed_notice"
TRANSFERRED_NOTICE = "case.transferred_notice"
RETURNED_TO_QUEUE_NOTICE = "case.returned_to_queue_notice"
# The final status a case gets for each outcome.
OUTCOME_STATUS: dict[Outcome, CaseStatus] = {
    Outcome.REFERRED_TO_SERVICE: CaseStatus.REFERRED, Outcome.INFORMED: CaseStatus.RESOLVED,
    Outcome.ACCOMPANIED: CaseStatus.RESOLVED, Outcome.CALLBACK_DONE: CaseStatus.RESOLVED,
    Outcome.UNREACHABLE: CaseStatus.CLOSED, Outcome.OTHER: CaseStatus.CLOSED,
}

# Claim-next prefers a case in one of the operator's languages when its effective priority is
# within this many points (minutes of waiting) of the most urgent waiting case (README.md).
LANGUAGE_WINDOW_POINTS = 30.0

# A phone caller cannot receive written messages: operators call them back instead.
CHANNELS_WITHOUT_CHAT: frozenset[str] = frozenset({"voice"})


def association_queue_ids(operator: Operator):  # type: ignore[no-untyped-def]
    """SQL subquery of the ids of the operator's association's queues (none for an editor)."""
    return select(Queue.id).where(Queue.association_id == operator.association_id,
                                  literal(operator.role in CASE_ROLES)).scalar_subquery()


def list_open_cases(session: Session, operator: Operator, now: datetime | None = None) -> list[tuple[Case, float]]:
    """Open cases of the operator's association with their effective priority, most urgent first."""
    now = now or utcnow()
    priority = effective_priority_sql(Case.base_priority, Case.created_at, now).label("effective_priority")
    rows = session.execute(
        select(Case, priority)
        .where(Case.status.in_(OPEN_STATUSES), Case.queue_id.in_(association_queue_ids(operator)))
        .order_by(priority.desc(), Case.created_at, Case.id))
    return [(case, float(value)) for case, value in rows]


def claim_next_case(session: Session, operator: Operator, now: datetime | None = None) -> Case | None:
    """Give the operator the most urgent waiting case of their association, or None if none waits.

    One UPDATE whose subquery picks the case: PostgreSQL locks it with FOR UPDATE SKIP
    LOCKED (concurrent claimers take the next one instead of waiting), SQLite runs the
    statement under its single writer lock; `status = 'queued'` is checked again in the
    UPDATE, so a case is never claimed twice.
    """
    ensure_capacity(session, operator)
    now = now or utcnow()
    priority = effective_priority_sql(Case.base_priority, Case.created_at, now)
    waiting = (Case.status == CaseStatus.QUEUED, Case.queue_id.in_(association_queue_ids(operator)))
    candidate = (select(Case.id).where(*waiting)
                 .order_by(_language_rank(operator, priority, waiting).desc(),
                           priority.desc(), Case.created_at, Case.id)
                 .limit(1).with_for_update(skip_locked=True, of=Case).scalar_subquery())
    # RETURNING the whole row saves a round trip: the claim is on every operator's critical path.
    case = session.scalars(
        update(Case).where(Case.id == candidate, Case.status == CaseStatus.QUEUED)
        .values(status=CaseStatus.CLAIMED, assigned_operator_id=operator.id, claimed_at=now)
        .returning(Case).execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()
    if case is None:
        session.rollback()
        return None
    notify_person(session, case, CONNECTED_NOTICE)
    _record(session, case, operator, "case_claimed", via="next")
    return case


def _language_rank(operator: Operator, priority, waiting):  # type: ignore[no-untyped-def]
    """SQL rank of a waiting case for this operator, among cases within the window of the top, else 0.

    2: in a language the operator speaks other than French; 1: in French and they speak it;
    0: any other case. French is the language every operator can fall back to, so an operator
    who also speaks Wolof takes the Wolof case and leaves the French one to a colleague, and one
    who does not takes the French case and leaves the Wolof one for a speaker.

    Ordering by the rank first, then by the usual priority, makes language a tie-breaker among
    cases of about the same urgency: an emergency still beats every non-emergency (1000 against
    at most 600), and a case is passed over for at most LANGUAGE_WINDOW_POINTS minutes.
    """
    languages = {str(code) for code in operator.languages or ()}
    if not languages:
        return literal(0)
    top = select(func.max(priority)).where(*waiting).scalar_subquery()
    near_top = priority >= top - LANGUAGE_WINDOW_POINTS
    rarer = sorted(languages - {DEFAULT_LANGUAGE})
    ranks = [(near_top & Case.language.in_(rarer), 2)] if rarer else []
    if DEFAULT_LANGUAGE in languages:
        ranks.append((near_top & (Case.language == DEFAULT_LANGUAGE), 1))
    return sql_case(*ranks, else_=0)


def claim_case(session: Session, operator: Operator, case_id: int) -> Case:
    """Claim one chosen waiting case (409 if someone else was faster, or past the operator's capacity)."""
    case = visible_case(session, operator, case_id)
    ensure_capacity(session, operator)
    done = rows_changed(session, update(Case).where(Case.id == case.id, Case.status == CaseStatus.QUEUED)
                        .values(status=CaseStatus.CLAIMED, assigned_operator_id=operator.id, claimed_at=utcnow())
                        .execution_options(synchronize_session=False))
    if not done:
        session.rollback()
        raise Conflict("case_not_queued", "This case is no longer waiting; another operator may have taken it.")
    session.refresh(case)
    notify_person(session, case, CONNECTED_NOTICE)
    _record(session, case, operator, "case_claimed", via="choice")
    return case


def reply_to_person(session: Session, operator: Operator, case_id: int, text: str) -> CaseMessage:
    """Store the operator's message and put it in the outbox for the person's channel."""
    case = held_case(session, operator, case_id)
    if case.conversation_id is None:
        raise Conflict("person_erased", "The person asked to erase their data; they can no longer be reached.")
    if case.channel in CHANNELS_WITHOUT_CHAT:
        raise Conflict("no_chat_channel", "This person called the phone line: call them back at the number on the case.")
    message = CaseMessage(case_id=case.id, direction="out", text=text, author_operator_id=operator.id)
    session.add(message)
    enqueue_outbound(session, case.conversation_id, OutgoingMessage(text=text))
    forget_offered_buttons(session, case.conversation_id)  # a typed "1" now answers the operator, not a button
    session.flush()
    _record(session, case, operator, "reply_sent", message_id=message.id, event="operator_message")
    return message


def add_note(session: Session, operator: Operator, case_id: int, text: str) -> CaseNote:
    """Add an internal note to a case the operator holds."""
    case = held_case(session, operator, case_id)
    note = CaseNote(case_id=case.id, author_operator_id=operator.id, text=text)
    session.add(note)
    session.flush()
    _record(session, case, operator, "note_added", note_id=note.id, event=None)
    return note


def refer_to_service(session: Session, operator: Operator, case_id: int, service_name: str,
                     service_id: str | None = None, service_kind: str | None = None,
                     city: str | None = None) -> Referral:
    """Record that the person was referred to a service (the case stays open until closed)."""
    case = held_case(session, operator, case_id)
    referral = Referral(case_id=case.id, service_id=service_id, service_name=service_name,
                        service_kind=service_kind, city=city, operator_id=operator.id)
    session.add(referral)
    session.flush()
    _record(session, case, operator, "referred", referral_id=referral.id, service_id=service_id,
            event=None)
    return referral


def set_waiting_person(session: Session, operator: Operator, case_id: int) -> Case:
    """Mark that the operator waits for the person's answer (their next message flips it back)."""
    case = held_case(session, operator, case_id)
    move_to(case, CaseStatus.WAITING_PERSON)
    _record(session, case, operator, "waiting_person")
    return case


def transfer_case(session: Session, operator: Operator, case_id: int, queue_id: int | None = None,
                  operator_id: int | None = None, note: str | None = None) -> Case:
    """Hand the case to a queue (its own: back to waiting) or to a colleague, with a handover note.

    The person is told in their language that someone else will answer; the note is one of the
    case's notes and the transfer is in its history (audit).
    """
    case = held_case(session, operator, case_id)
    if (queue_id is None) == (operator_id is None):
        raise Conflict("transfer_target_required", "Give exactly one of queue_id or operator_id.")
    if queue_id is not None:
        queue = session.get(Queue, queue_id)
        if queue is None:
            raise NotFound("queue_not_found", "No such queue.")
        move_to(case, CaseStatus.QUEUED)
        case.queue_id, case.queue = queue.id, queue
        case.assigned_operator_id, case.claimed_at = None, None
        details = {"queue_id": queue.id}
    else:
        target = session.get(Operator, operator_id)
        if (target is None or not target.active or target.association_id != operator.association_id
                or target.role not in CASE_ROLES):
            raise NotFound("operator_not_found", "No such active operator in your association.")
        if target.id == case.assigned_operator_id:
            raise Conflict("already_holding_case", "This colleague already holds the case.")
        ensure_capacity(session, target, colleague=True)
        move_to(case, CaseStatus.CLAIMED)
        case.assigned_operator_id, case.claimed_at = target.id, utcnow()
        details = {"operator_id": target.id}
    if note:
        handover = CaseNote(case_id=case.id, author_operator_id=operator.id, text=note)
        session.add(handover)
        session.flush()
        details["note_id"] = handover.id
    notify_person(session, case, RETURNED_TO_QUEUE_NOTICE if queue_id is not None else TRANSFERRED_NOTICE)
    # A case sent to another association's queue must show up on that association's consoles.
    _record(session, case, operator, "case_transferred", "case_updated", case.queue.association_id, **details)
    return case


def colleagues(session: Session, operator: Operator) -> list[Operator]:
    """Active case-working operators of the operator's association, except them."""
    if operator.association_id is None or operator.role not in CASE_ROLES:
        return []
    return list(session.scalars(select(Operator).where(
        Operator.association_id == operator.association_id, Operator.active.is_(True),
        Operator.role.in_(CASE_ROLES), Operator.id != operator.id).order_by(Operator.email)))


def close_case(session: Session, operator: Operator, case_id: int, outcome: Outcome, note: str | None = None) -> Case:
    """Close with an outcome; the person is told, in their language, that the case is closed."""
    if outcome not in OUTCOME_STATUS:
        raise Conflict("unknown_outcome", f"Unknown outcome {outcome!r}.")
    case = held_case(session, operator, case_id)
    move_to(case, OUTCOME_STATUS[outcome])
    case.outcome, case.closed_at = outcome, utcnow()
    if note:
        session.add(CaseNote(case_id=case.id, author_operator_id=operator.id, text=note))
    # Once closed the case no longer holds the conversation: the person's next message goes to the bot.
    notify_person(session, case, CLOSED_NOTICE)
    if case.channel not in CHANNELS_WITHOUT_CHAT:
        ask_satisfaction(session, case)
    _record(session, case, operator, "case_closed", outcome=outcome)
    return case


def notify_person(session: Session, case: Case, key: str) -> None:
    """Put a catalog text for the person (in the case's language) in the outbox, unless they were erased."""
    if case.conversation_id is None or case.channel in CHANNELS_WITHOUT_CHAT:
        return
    rendered = render_response(key, case.language, {"reference": case.reference})
    enqueue_outbound(session, case.conversation_id, OutgoingMessage(text=rendered.text))
    forget_offered_buttons(session, case.conversation_id)


def _record(session: Session, case: Case, operator: Operator, action: str, event: str | None = "case_updated",
            association_id: int | None = None, **details: object) -> None:
    """Audit the action, tell the consoles (of `association_id`, default the operator's), commit, log ids only."""
    if event is None:
        audit(session, action, case, operator, None, **details)
    else:
        # Every case an operator acts on is in their association's queues (access.py checks it).
        audit_and_live_event(session, action, case, operator, event,
                             association_id or operator.association_id, **details)
    session.commit()
    log_event(logger, action, case_id=case.id, operator_id=operator.id, status=case.status)
