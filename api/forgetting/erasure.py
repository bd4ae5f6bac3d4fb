"""Erasure that erases: a person's cases, texts, numbers, media, chat history and channel identity.

Whoever asks (the person with /forget, the intent or the button, a caller with the keypad, an
operator or admin acting on the person's request), `erase_person` does at once what can be done
at once, in the caller's transaction:

* every case of the conversation becomes anonymous statistics (api/cases/anonymise.py); an
  operator holding one is told on their console (live event `case_erased`);
* the captured callback number and every inbound and outbound message row are deleted, except
  the replies still waiting for delivery (the confirmation of the erasure itself);
* a `PersonErasure` request records what must wait.

Then `complete_erasure` deletes the conversation from Rasa's tracker store once the turn is over
(the gateway calls it when Rasa has answered; the worker after `TURN_GRACE`), and
`finish_erasure` deletes the channel identity and the last rows once the confirmation has been
delivered. A failed tracker delete keeps the request with its error and is retried: the erasure
is never called done when something may be left. SQLite files are checkpointed (TRUNCATE) so the
write-ahead log does not keep what was deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from api.bot_history import TrackerStoreUnavailable, delete_tracker_events
from api.cases.access import HELD_STATUSES, OPEN_STATUSES, SUPERVISING_ROLES
from api.cases.anonymise import anonymise_case
from api.cases.events import audit
from api.cases.models import Case, LiveEvent, Operator
from api.core.clock import as_utc, utcnow
from api.core.errors import Conflict, Forbidden
from api.core.logging import log_event
from api.db import checkpoint_wal
from api.nlg.render import render_response
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import OutgoingMessage
from api.outbox.models import ChannelIdentity, InboundMessage, OfferedChoice, OutboundMessage
from api.outbox.receipts import ChatReceipt
from api.privacy.contacts import forget_captured_number
from api.privacy.models import PersonErasure

logger = logging.getLogger(__name__)

# Rasa may still be writing the turn in which the person asked: the worker waits this long
# before deleting the tracker events itself (the gateway does it as soon as Rasa has answered).
TURN_GRACE = timedelta(minutes=2)
# The identity stays until the confirmation is delivered, and a little longer for a reply the
# gateway is still putting in the outbox; a reply that cannot be delivered for a day is dropped.
DELIVERY_GRACE = timedelta(seconds=5)
DELIVERY_DEADLINE = timedelta(days=1)
PENDING_STATUSES = ("pending", "sending")


def erase_person(session: Session, conversation_id: str, actor: str = "person",
                 operator: Operator | None = None, during_turn: bool = True, bot_history: bool = True) -> int:
    """Erase what can be erased now and record the rest; the caller commits. Returns the number of cases.

    `during_turn`: the request comes from the bot's own turn (the tracker is deleted after it);
    False when an operator or the phone line asks, with no turn in progress. `bot_history`: False
    for a phone caller, whose calls never reach Rasa (nothing to delete there).
    """
    now = utcnow()
    cases = list(session.scalars(select(Case).where(Case.conversation_id == conversation_id)))
    for case in cases:
        was_open, case_id = case.status in OPEN_STATUSES, case.id
        association_id = anonymise_case(session, case)
        if was_open:
            # The operator's console drops the case and says why; nothing else about it is sent.
            session.add(LiveEvent(association_id=association_id, kind="case_erased", case_id=case_id,
                                  payload={"case_id": case_id}))
    forget_captured_number(session, conversation_id)
    session.execute(delete(InboundMessage).where(InboundMessage.conversation_id == conversation_id,
                                                 InboundMessage.status != "processing"))
    session.execute(delete(OutboundMessage).where(OutboundMessage.conversation_id == conversation_id))
    session.execute(delete(OfferedChoice).where(OfferedChoice.conversation_id == conversation_id))
    session.execute(delete(ChatReceipt).where(ChatReceipt.conversation_id == conversation_id))
    request = session.get(PersonErasure, conversation_id)
    if request is None:
        request = PersonErasure(conversation_id=conversation_id, attempts=0)
        session.add(request)
    request.requested_at, request.tracker_done_at, request.last_error = now, None, None
    request.not_before = now + TURN_GRACE if during_turn else now
    if not bot_history:
        request.tracker_done_at = now
    audit(session, "person_data_erased", operator=operator, actor=actor, cases=len(cases))
    session.flush()
    log_event(logger, "person_data_erased", actor=actor, cases=len(cases))
    return len(cases)


def erase_on_request(session: Session, case: Case, operator: Operator) -> int:
    """An operator holding the case, or a supervisor or admin, erases the person at their request (committed).

    The person is told on their channel (when it has one) before their identity goes.
    """
    holds = case.status in HELD_STATUSES and case.assigned_operator_id == operator.id
    if not holds and operator.role not in SUPERVISING_ROLES:
        raise Forbidden("not_allowed_to_erase", "Only the operator holding the case, a supervisor or an admin can erase.")
    conversation_id, language, channel = case.conversation_id, case.language, case.channel
    if conversation_id is None:
        raise Conflict("person_erased", "This person's data was already erased.")
    erased = erase_person(session, conversation_id, actor="operator", operator=operator, during_turn=False)
    if channel != "voice":  # a phone caller has no chat to be told in
        enqueue_outbound(session, conversation_id,
                         OutgoingMessage(text=render_response("utter_forget_done", language, {}).text))
    session.commit()
    return erased


def erasure_requested(session: Session, conversation_id: str) -> bool:
    """Whether the person asked to be forgotten and the tracker still holds their conversation.

    Read inside the caller's transaction (the turn's last one); `complete_erasure` then finds the
    request in the session without reading it again.
    """
    request = session.get(PersonErasure, conversation_id)
    return request is not None and request.tracker_done_at is None


def complete_erasure(session: Session, conversation_id: str) -> bool:
    """Delete the conversation from the tracker store (call it once the turn is over); True when done.

    Commits. A tracker store that cannot be reached leaves the request pending with its error.
    """
    request = session.get(PersonErasure, conversation_id)
    if request is None or request.tracker_done_at is not None:
        return False
    try:
        deleted = delete_tracker_events([conversation_id])
    except TrackerStoreUnavailable as exc:
        request.attempts += 1
        request.last_error = str(exc)[:200]
        session.commit()
        log_event(logger, "tracker_erasure_failed", logging.ERROR, attempts=request.attempts, error=str(exc))
        return False
    request.tracker_done_at, request.last_error = utcnow(), None
    # The messages of the turn that asked for the erasure are answered now.
    session.execute(delete(InboundMessage).where(InboundMessage.conversation_id == conversation_id,
                                                 InboundMessage.status != "processing"))
    session.commit()
    checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    log_event(logger, "tracker_erasure_done", events=deleted)
    return True


def finish_erasure(session: Session, conversation_id: str, now: datetime | None = None,
                   grace: timedelta = DELIVERY_GRACE) -> bool:
    """Delete the identity and the last rows once the tracker is done and the confirmation delivered.

    Commits; True when the erasure is complete (its request row is deleted too).
    """
    now = now or utcnow()
    request = session.get(PersonErasure, conversation_id)
    if request is None or request.tracker_done_at is None:
        return False
    done_at = as_utc(request.tracker_done_at)
    if now - done_at < grace:
        return False
    waiting = session.scalar(select(exists().where(
        OutboundMessage.conversation_id == conversation_id, OutboundMessage.status.in_(PENDING_STATUSES),
        OutboundMessage.created_at > now - DELIVERY_DEADLINE)))
    if waiting:
        return False
    requested_at = as_utc(request.requested_at)
    identity = session.get(ChannelIdentity, conversation_id)
    came_back = identity is not None and as_utc(identity.last_seen_at) > done_at
    for table in (InboundMessage, OutboundMessage):
        session.execute(delete(table).where(table.conversation_id == conversation_id,
                                            table.created_at <= (done_at if came_back else now)))
    if identity is not None and not came_back:
        session.delete(identity)
    session.delete(request)
    session.commit()
    checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    log_event(logger, "erasure_finished", came_back=came_back,
              seconds=round((now - requested_at).total_seconds(), 1))
    return True


def run_due_erasures(factory: sessionmaker[Session], now: datetime | None = None) -> int:
    """The worker's round: tracker deletes no turn picked up, then identities whose reply went out."""
    now = now or utcnow()
    finished = 0
    with factory() as session:
        requests = session.scalars(select(PersonErasure).where(
            or_(PersonErasure.not_before <= now, PersonErasure.tracker_done_at.is_not(None)))).all()
        ids = [(r.conversation_id, r.tracker_done_at is None) for r in requests]
        for conversation_id, tracker_pending in ids:
            if tracker_pending and not complete_erasure(session, conversation_id):
                continue
            finished += finish_erasure(session, conversation_id, now)
    return finished


