"""Creating cases from the bot's referrals: routing to a queue, reference codes, idempotency."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.cases.events import audit, emit_live_event
from api.cases.models import Association, Case, Queue
from api.cases.schemas import ReferralIn
from api.cases.triage import EMERGENCY, TriageAnswers, triage_priority
from api.core.codes import CaseStatus
from api.core.logging import log_event
from api.crypto import encrypt
from api.privacy.contacts import take_captured_number
from sante_contract import REFERENCE_ALPHABET, REFERENCE_LENGTH, REFERENCE_PREFIX, is_reference

logger = logging.getLogger(__name__)

DEFAULT_ASSOCIATION_NAME = "Hotline"
DEFAULT_QUEUE_NAME = "General"


def new_reference() -> str:
    """A short random public reference such as ``MS-7K3Q9P``."""
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def reference_for_referral(session: Session, proposed: str | None) -> str:
    """The bot's own reference when well-formed and unused (the person was already told it), else a new one."""
    if proposed and is_reference(proposed):
        if session.scalar(select(Case.id).where(Case.reference == proposed)) is None:
            return proposed
    return new_reference()


def queue_for_city(session: Session, city: str | None) -> Queue:
    """The queue serving `city`, else the default queue; a first install gets one created."""
    queues = list(session.scalars(select(Queue).order_by(Queue.id)))
    wanted = (city or "").strip().lower()
    if wanted:
        for queue in queues:
            if wanted in (c.lower() for c in queue.cities or []):
                return queue
    for queue in queues:
        if queue.is_default:
            return queue
    if queues:
        return queues[0]
    # Nothing configured yet: cases must still land somewhere an admin can see them.
    association = session.scalar(select(Association).where(Association.name == DEFAULT_ASSOCIATION_NAME))
    if association is None:
        association = Association(name=DEFAULT_ASSOCIATION_NAME)
        session.add(association)
        session.flush()
    queue = Queue(association_id=association.id, name=DEFAULT_QUEUE_NAME, cities=[], is_default=True)
    session.add(queue)
    session.flush()
    return queue


def find_case_by_key(session: Session, idempotency_key: str) -> Case | None:
    """The case created earlier with this Idempotency-Key, if any."""
    return session.scalar(select(Case).where(Case.idempotency_key == idempotency_key))


def create_case_from_referral(session: Session, referral: ReferralIn, idempotency_key: str) -> tuple[Case, bool]:
    """Create the case (committed) or return the one made earlier with the same key; True when created.

    Concurrent requests with the same key race on the unique constraint: the loser rolls
    back and returns the winner's case, so there is never a second case.
    """
    existing = find_case_by_key(session, idempotency_key)
    if existing is not None:
        return existing, False
    answers = TriageAnswers(**referral.triage.model_dump())
    level, base = triage_priority(answers)

    proposed = referral.reference
    for _attempt in range(5):
        queue = queue_for_city(session, referral.city)
        callback_number = referral.callback_number
        if referral.contact == "callback" and not callback_number:
            # The number the person typed never went through Rasa: the gateway kept it (encrypted).
            # Taken inside the attempt, so a rolled-back attempt takes it again.
            callback_number = take_captured_number(session, referral.conversation_id)
        case = Case(
            reference=reference_for_referral(session, proposed),
            idempotency_key=idempotency_key, queue_id=queue.id, queue=queue,
            conversation_id=referral.conversation_id, channel=referral.channel,
            language=referral.language_code(), topic=referral.topic, city=referral.city,
            triage_level=level, base_priority=base, triage_flags=referral.triage.model_dump(),
            status=CaseStatus.QUEUED, consent=referral.consent, contact=referral.contact,
            callback_number_encrypted=encrypt(callback_number) if callback_number else None,
            summary=referral.summary,
        )
        session.add(case)
        try:
            session.flush()
            audit(session, "case_created", case, actor="service", triage_level=level, queue_id=queue.id)
            emit_live_event(session, case, "case_created", emergency=level == EMERGENCY, language=case.language)
            session.commit()
        except IntegrityError:  # at the insert or at the commit: the same referral again, or a taken reference
            session.rollback()
            existing = find_case_by_key(session, idempotency_key)
            if existing is not None:
                return existing, False
            proposed = None  # the reference collided: draw a random one
            continue
        log_event(logger, "case_created", case_id=case.id, triage_level=level, queue_id=queue.id,
                  language=case.language, channel=case.channel)
        return case, True
    raise RuntimeError("could not allocate a unique case reference")
