"""Pydantic shapes at the HTTP edge of the referral backend (requests and responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.core.codes import CaseStatus, Outcome, Role, TriageLevel
from api.core.inputs import ID_MAX, BodyId, StrictInput, StrictText
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.phones import PhoneNumber

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)


class TriageIn(StrictInput):
    """The escalation form's answers; a missing flag means the person did not say yes."""

    emergency: bool = False
    pregnant: bool = False
    child: bool = False
    violence: bool = False
    no_medication: bool = False


class ReferralIn(StrictInput):
    """What the action server sends when a person asks for a human (docs/architecture.md)."""

    conversation_id: StrictText = Field(min_length=3, max_length=64)
    channel: StrictText = Field(min_length=1, max_length=16)
    language: StrictText = Field(default="fr", max_length=8)
    topic: StrictText = Field(default="other", max_length=64)
    city: StrictText | None = Field(default=None, max_length=120)
    consent: bool
    triage: TriageIn = Field(default_factory=TriageIn)
    contact: Literal["chat", "callback"] = "chat"
    # "06 12 34 56 78" is kept as +212612345678 (api/core/phones.py).
    callback_number: PhoneNumber | None = Field(default=None, max_length=32)
    summary: StrictText | None = Field(default=None, max_length=2000)
    # The bot tells the person a reference even while the backend is down (actions/referrals.py
    # derives it from the Idempotency-Key); the case keeps it, so both sides agree. A malformed or
    # taken one is replaced, not refused: a 422 would make the bot drop the escalation for good.
    reference: StrictText | None = Field(default=None, max_length=16)

    def language_code(self) -> str:
        """The case language, French when the bot sent a code we do not speak."""
        return self.language if self.language in SUPPORTED_LANGUAGES else "fr"


class ErasureOut(BaseModel):
    """How many cases of the conversation had their personal data erased."""

    erased_cases: int


class ReferralOut(BaseModel):
    """The created (or replayed) case as the bot needs it: the reference to tell the person."""

    reference: str
    case_id: int
    priority: int
    triage_level: TriageLevel
    status: CaseStatus
    language_spoken_on_duty: bool = Field(
        description="an operator on duty in the case's association speaks the person's language (api/cases/on_duty.py)")


class CaseSummaryOut(BaseModel):
    """A row of the queue."""

    id: int
    reference: str
    channel: str
    language: str
    topic: str
    city: str | None
    triage_level: TriageLevel
    base_priority: int
    effective_priority: float
    status: CaseStatus
    queue_id: int
    queue_name: str
    assigned_operator_id: int | None
    assigned_to_me: bool
    created_at: datetime
    minutes_waiting: float
    language_spoken_on_duty: bool | None = Field(
        default=None, description="in the queue listing: an operator on duty in the association speaks the language")
    # Service level of the case's triage level (api/cases/service_levels.py).
    sla_minutes: int
    sla_deadline: datetime
    sla_breached: bool


class MessageOut(BaseModel):
    """One message of the conversation on a case."""

    id: int
    direction: str
    text: str
    media_url: str | None
    # audio | image | video | file: how the console shows the attachment (None without one).
    media_kind: str | None = None
    author_operator_id: int | None
    created_at: datetime


class NoteOut(BaseModel):
    """An internal note."""

    id: int
    text: str
    author_operator_id: int | None
    created_at: datetime


class ReferralRecordOut(BaseModel):
    """A service the person was referred to."""

    id: int
    service_id: str | None
    service_name: str
    service_kind: str | None
    city: str | None
    created_at: datetime


class CaseDetailOut(CaseSummaryOut):
    """Everything an operator holding a case sees."""

    consent: bool
    contact: str
    # The number itself only through POST /cases/{id}/callback-number (audited, holder only).
    has_callback_number: bool
    may_reveal_number: bool
    summary: str | None
    outcome: Outcome | None
    triage_flags: dict[str, bool]
    claimed_at: datetime | None
    closed_at: datetime | None
    messages: list[MessageOut]
    notes: list[NoteOut]
    referrals: list[ReferralRecordOut]


class ContextTurnOut(BaseModel):
    """A turn of the bot conversation before the escalation (redacted)."""

    speaker: Literal["person", "bot"]
    text: str
    at: datetime


class BotContextOut(BaseModel):
    """The last turns before the escalation; `available` is False when the bot's store cannot be read."""

    available: bool
    turns: list[ContextTurnOut]


class CannedReplyIn(StrictInput):
    """Which approved reply to send (a `canned.*` key of the catalogs)."""

    key: StrictText = Field(min_length=1, max_length=64)


class CallbackNumberOut(BaseModel):
    """The number to call the person back on, revealed to the operator holding the case."""

    callback_number: str


class TextIn(StrictInput):
    """A reply to the person or a note."""

    text: StrictText = Field(min_length=1, max_length=4000)


class TransferIn(StrictInput):
    """Where to send the case: another queue (back to waiting) or another operator (claimed by them)."""

    queue_id: BodyId | None = Field(default=None, ge=1, le=ID_MAX)
    operator_id: BodyId | None = Field(default=None, ge=1, le=ID_MAX)
    # The handover note for whoever takes the case next (kept with the case's notes).
    note: StrictText | None = Field(default=None, max_length=4000)


class ColleagueOut(BaseModel):
    """An operator of my association a case can be handed to."""

    id: int
    email: str
    languages: list[str]


class ReferIn(StrictInput):
    """A service from data/services.yml (service_id) or described in free text."""

    service_id: StrictText | None = Field(default=None, max_length=120)
    service_name: StrictText = Field(min_length=1, max_length=200)
    service_kind: StrictText | None = Field(default=None, max_length=64)
    city: StrictText | None = Field(default=None, max_length=120)


class CloseIn(StrictInput):
    """The outcome of a case; the person is told it is closed, in their language."""

    # The body is strict (StrictInput); a code arrives as its JSON string.
    outcome: Annotated[Outcome, Field(strict=False)]
    note: StrictText | None = Field(default=None, max_length=4000)


class QueueOut(BaseModel):
    """A queue an operator may transfer to."""

    id: int
    name: str
    association_id: int
    association_name: str


class OperatorOut(BaseModel):
    """An operator account as the console shows it (never the password hash)."""

    id: int
    email: str
    role: Role
    languages: list[str]
    association_id: int | None
    active: bool = True
    max_cases: int | None = None
