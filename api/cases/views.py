"""Turning case rows into the API's response shapes; the callback number is revealed apart, to the holder only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cases.access import HELD_STATUSES
from api.cases.context import StoredTurnRenderer, bot_context
from api.cases.events import audit
from api.cases.models import AuditEvent, Case, CaseMessage, CaseNote, Operator, Queue, Referral
from api.cases.on_duty import languages_on_duty
from api.cases.schemas import (
    BotContextOut,
    CaseDetailOut,
    CaseSummaryOut,
    ContextTurnOut,
    MessageOut,
    NoteOut,
    ReferralRecordOut,
)
from api.cases.service_levels import is_breached, sla_deadline, sla_targets
from api.cases.triage import OTHER, effective_priority
from api.cases.workflow import list_open_cases
from api.core.clock import as_utc, utcnow
from api.core.config import get_settings
from api.core.errors import Forbidden
from api.crypto import decrypt
from api.privacy.twilio_media import is_twilio_media


def case_summary(case: Case, operator: Operator, effective: float | None = None,
                 now: datetime | None = None) -> CaseSummaryOut:
    """One queue row."""
    now = now or utcnow()
    waited = max((now - as_utc(case.created_at)).total_seconds() / 60, 0.0)
    targets = sla_targets(get_settings())
    return CaseSummaryOut(
        id=case.id, reference=case.reference, channel=case.channel, language=case.language, topic=case.topic, city=case.city,
        triage_level=case.triage_level, base_priority=case.base_priority,
        effective_priority=round(effective if effective is not None
                                 else effective_priority(case.base_priority, waited), 2),
        status=case.status, queue_id=case.queue_id, queue_name=case.queue.name,
        assigned_operator_id=case.assigned_operator_id,
        assigned_to_me=case.assigned_operator_id == operator.id,
        created_at=as_utc(case.created_at), minutes_waiting=round(waited, 1),
        sla_minutes=targets.get(case.triage_level, targets[OTHER]),
        sla_deadline=sla_deadline(case.created_at, case.triage_level, targets),
        sla_breached=is_breached(case.status, case.created_at, case.triage_level, targets, now))


def queue_rows(session: Session, operator: Operator, rows: Iterable[tuple[Case, float]] | None = None,
               now: datetime | None = None) -> list[CaseSummaryOut]:
    """Queue rows (by default the open cases, most urgent first), each saying whether someone on duty
    speaks its language."""
    now = now or utcnow()
    spoken = languages_on_duty(session, operator.association_id, now)
    return [case_summary(case, operator, effective, now).model_copy(
                update={"language_spoken_on_duty": case.language in spoken})
            for case, effective in (rows if rows is not None else list_open_cases(session, operator, now))]


# Telegram's attachment kinds (api/gateways/telegram.py); other channels give a MIME type.
TELEGRAM_MEDIA_KINDS: dict[str, str] = {"voice": "audio", "audio": "audio", "photo": "image", "video": "video",
                                        "video_note": "video", "document": "file"}


def media_kind(media_url: str | None, media_type: str | None) -> str | None:
    """audio, image, video or file: how the console shows an attachment."""
    if not media_url:
        return None
    declared = (media_type or "").lower()
    if declared in TELEGRAM_MEDIA_KINDS:
        return TELEGRAM_MEDIA_KINDS[declared]
    family = declared.split("/", 1)[0]
    return family if family in ("audio", "image", "video") else "file"


def console_media_url(message: CaseMessage) -> str | None:
    """Where the console loads an attachment from: a Twilio recording or WhatsApp media (behind our
    account's credentials) through this API for the operator; a Telegram file already is."""
    if message.media_url and is_twilio_media(message.media_url):
        return f"/api/v1/cases/{message.case_id}/messages/{message.id}/media"
    return message.media_url


def case_messages(session: Session, case_id: int, after_id: int = 0) -> list[MessageOut]:
    """The conversation of a case, oldest first, optionally only messages newer than `after_id`."""
    rows = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id, CaseMessage.id > after_id)
                           .order_by(CaseMessage.id))
    return [MessageOut(id=m.id, direction=m.direction, text=m.text, media_url=console_media_url(m),
                       media_kind=media_kind(m.media_url, m.media_type), author_operator_id=m.author_operator_id, created_at=as_utc(m.created_at)) for m in rows]


def case_detail(session: Session, case: Case, operator: Operator) -> CaseDetailOut:
    """Everything about a case except the callback number: whether there is one, and whether I may reveal it."""
    summary = case_summary(case, operator)
    notes = session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
    referrals = session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))
    return CaseDetailOut(
        **summary.model_dump(), consent=case.consent, contact=case.contact,
        has_callback_number=case.callback_number_encrypted is not None,
        may_reveal_number=case.callback_number_encrypted is not None and holds_case(case, operator),
        summary=case.summary, outcome=case.outcome,
        triage_flags={k: bool(v) for k, v in (case.triage_flags or {}).items()},
        claimed_at=as_utc(case.claimed_at) if case.claimed_at else None,
        closed_at=as_utc(case.closed_at) if case.closed_at else None,
        messages=case_messages(session, case.id),
        notes=[NoteOut(id=n.id, text=n.text, author_operator_id=n.author_operator_id,
                       created_at=as_utc(n.created_at)) for n in notes],
        referrals=[ReferralRecordOut(id=r.id, service_id=r.service_id, service_name=r.service_name,
                                     service_kind=r.service_kind, city=r.city, created_at=as_utc(r.created_at))
                   for r in referrals])


def case_bot_context(case: Case, render_stored: StoredTurnRenderer | None = None) -> BotContextOut:
    """What the person and the bot said before the escalation (consented cases only, redacted)."""
    turns = bot_context(case, render_stored=render_stored)
    return BotContextOut(available=turns is not None,
                         turns=[ContextTurnOut(speaker=t.speaker, text=t.text, at=t.at) for t in turns or []])


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history: what happened, when, by whom, and to whom or where when handed over."""

    action: str
    at: datetime
    actor: str | None
    target: str | None


def case_history(session: Session, case: Case) -> list[HistoryEntry]:
    """The case's audit trail, oldest first, with operators' emails and queue names resolved."""
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)))
    emails = dict(session.execute(select(Operator.id, Operator.email)).all())
    queues = dict(session.execute(select(Queue.id, Queue.name)).all())
    entries = []
    for event in events:
        details = event.details or {}
        transferred_to = details.get("operator_id")
        target = emails.get(transferred_to) if event.action == "case_transferred" and transferred_to else None
        if event.action == "case_transferred" and details.get("queue_id"):
            target = queues.get(details["queue_id"])
        entries.append(HistoryEntry(action=event.action, at=as_utc(event.at),
                                    actor=emails.get(event.actor_operator_id) if event.actor_operator_id else None,
                                    target=target))
    return entries


def holds_case(case: Case, operator: Operator) -> bool:
    """The operator is the one holding the case now (not a supervisor looking at it)."""
    return case.status in HELD_STATUSES and case.assigned_operator_id == operator.id


def reveal_callback_number(session: Session, case: Case, operator: Operator) -> str:
    """The decrypted number, for the operator holding the case only; every reveal is audited (committed)."""
    if not holds_case(case, operator):
        raise Forbidden("not_holding_case", "Only the operator holding this case can see the number to call.")
    if case.callback_number_encrypted is None:
        raise Forbidden("no_callback_number", "The person gave no number to call.")
    number = decrypt(case.callback_number_encrypted)
    audit(session, "callback_number_revealed", case, operator)
    session.commit()
    return number
