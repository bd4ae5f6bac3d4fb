"""Operator API: the queue, claiming, the conversation, notes, referrals, transfers, closing, live events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from api.auth.deps import current_operator, session_operator
from api.cases import workflow
from api.cases.access import visible_case
from api.cases.canned import CannedReply, canned_replies_for, send_canned_reply
from api.cases.history import PreviousCase, previous_cases
from api.cases.live import hub_for
from api.cases.models import Association, CaseMessage, Operator, Queue
from api.cases.schemas import (
    BotContextOut,
    CallbackNumberOut,
    CannedReplyIn,
    CaseDetailOut,
    CaseSummaryOut,
    CloseIn,
    ColleagueOut,
    ErasureOut,
    MessageOut,
    NoteOut,
    QueueOut,
    ReferIn,
    ReferralRecordOut,
    TextIn,
    TransferIn,
)
from api.cases.search import CaseFilter, search_cases
from api.cases.views import (
    case_bot_context,
    case_detail,
    case_messages,
    case_summary,
    queue_rows,
    reveal_callback_number,
)
from api.console.i18n import pick_console_language
from api.core.config import get_settings
from api.core.errors import NotFound, Unauthorized
from api.core.inputs import ID_MAX, PathId
from api.db import checkpoint_wal, get_session, get_sessionmaker
from api.forgetting.erasure import erase_on_request
from api.gateways.responses import stored_turn_renderer
from api.privacy.twilio_media import fetch_twilio_media, is_twilio_media

# Every operator route may answer these besides its success (declared so the OpenAPI schema is complete).
OPERATOR_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in"}, 403: {"description": "missing CSRF token, role or holder"},
    404: {"description": "no such case in my association"}, 409: {"description": "the case is not in that state"}}
router = APIRouter(prefix="/api/v1", tags=["cases"], responses=OPERATOR_ERRORS)



@router.get("/cases", response_model=list[CaseSummaryOut])
def list_queue(filters: Annotated[CaseFilter, Query()], operator: Operator = Depends(current_operator),
               session: Session = Depends(get_session)) -> list[CaseSummaryOut]:
    """Cases of my association's queues: by default the open ones, most urgent first (effective priority,
    then age); filtered by reference, language, town, level, status and creation date."""
    return queue_rows(session, operator, search_cases(session, operator, filters))


@router.post("/cases/claim-next", response_model=CaseDetailOut | None,
             responses={204: {"description": "no case is waiting"}})
def claim_next(operator: Operator = Depends(current_operator),
               session: Session = Depends(get_session)) -> CaseDetailOut | Response:
    """Atomically take the most urgent waiting case; 204 when the queue is empty."""
    case = workflow.claim_next_case(session, operator)
    if case is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return case_detail(session, case, operator)


@router.get("/cases/{case_id:int}", response_model=CaseDetailOut)
def get_case(case_id: PathId, operator: Operator = Depends(current_operator),
             session: Session = Depends(get_session)) -> CaseDetailOut:
    """A case of my association with its conversation, notes and referrals."""
    return case_detail(session, visible_case(session, operator, case_id), operator)


@router.get("/cases/{case_id:int}/messages", response_model=list[MessageOut])
def get_messages(case_id: PathId, after: int = Query(default=0, ge=0, le=ID_MAX), operator: Operator = Depends(current_operator),
                 session: Session = Depends(get_session)) -> list[MessageOut]:
    """Messages of a case newer than `after` (what the console fetches when a live event arrives)."""
    return case_messages(session, visible_case(session, operator, case_id).id, after)


@router.get("/cases/{case_id:int}/messages/{message_id:int}/media", include_in_schema=False)
async def get_message_media(case_id: PathId, message_id: PathId, operator: Operator = Depends(current_operator),
                            session: Session = Depends(get_session)) -> Response:
    """A WhatsApp attachment or phone recording of a visible case, fetched from Twilio with our credentials."""
    media_url = await run_in_threadpool(_media_url_of, session, operator, case_id, message_id)
    content, media_type = await fetch_twilio_media(media_url)
    return Response(content, media_type=media_type, headers={"Cache-Control": "private, no-store"})


def _media_url_of(session: Session, operator: Operator, case_id: int, message_id: int) -> str:
    case = visible_case(session, operator, case_id)
    url = session.scalar(select(CaseMessage.media_url).where(CaseMessage.id == message_id,
                                                              CaseMessage.case_id == case.id))
    if not url or not is_twilio_media(url):
        raise NotFound("media_not_found", "This message has no attachment kept at Twilio.")
    return url


@router.get("/cases/{case_id:int}/bot-context", response_model=BotContextOut)
def get_bot_context(case_id: PathId, operator: Operator = Depends(current_operator),
                    session: Session = Depends(get_session)) -> BotContextOut:
    """The last turns of the bot conversation before the escalation (consented cases only, redacted)."""
    return case_bot_context(visible_case(session, operator, case_id), stored_turn_renderer(get_settings()))


# The domain's dataclasses are the response models: one list of fields, serialised by pydantic.
@router.get("/cases/{case_id:int}/previous", response_model=list[PreviousCase])
def get_previous_cases(case_id: PathId, operator: Operator = Depends(current_operator),
                       session: Session = Depends(get_session)) -> list[PreviousCase]:
    """The person's earlier cases in my association, with outcomes and notes (newest first)."""
    return previous_cases(session, operator, visible_case(session, operator, case_id))


@router.post("/cases/{case_id:int}/callback-number", response_model=CallbackNumberOut,
             responses={403: {"description": "not the operator holding the case, or no number"}})
def callback_number(case_id: PathId, response: Response, operator: Operator = Depends(current_operator),
                    session: Session = Depends(get_session)) -> CallbackNumberOut:
    """Reveal the number to call the person back on (the operator holding the case only; audited)."""
    number = reveal_callback_number(session, visible_case(session, operator, case_id), operator)
    response.headers["Cache-Control"] = "no-store"
    return CallbackNumberOut(callback_number=number)


@router.post("/cases/{case_id:int}/erase-person", response_model=ErasureOut)
def erase_person_on_request(case_id: PathId, operator: Operator = Depends(current_operator),
                            session: Session = Depends(get_session)) -> ErasureOut:
    """The person asked the operator to erase their data: every case and message of theirs goes (audited)."""
    erased = erase_on_request(session, visible_case(session, operator, case_id), operator)
    checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    return ErasureOut(erased_cases=erased)


@router.post("/cases/{case_id:int}/claim", response_model=CaseDetailOut)
def claim(case_id: PathId, operator: Operator = Depends(current_operator),
          session: Session = Depends(get_session)) -> CaseDetailOut:
    """Take this waiting case (409 if it is no longer waiting)."""
    return case_detail(session, workflow.claim_case(session, operator, case_id), operator)


@router.post("/cases/{case_id:int}/reply", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
def reply(case_id: PathId, body: TextIn, operator: Operator = Depends(current_operator),
          session: Session = Depends(get_session)) -> MessageOut:
    """Write to the person; it goes out on their channel through the outbox."""
    message = workflow.reply_to_person(session, operator, case_id, body.text)
    return MessageOut(id=message.id, direction=message.direction, text=message.text, media_url=None,
                      author_operator_id=operator.id, created_at=message.created_at)


@router.get("/cases/{case_id:int}/canned-replies", response_model=list[CannedReply])
def list_canned_replies(case_id: PathId, request: Request, lang: str | None = Query(default=None, max_length=8),
                        operator: Operator = Depends(current_operator),
                        session: Session = Depends(get_session)) -> list[CannedReply]:
    """The approved replies this case can use, in my console language and in the person's."""
    language = pick_console_language(lang, request.headers.get("accept-language", ""))
    return canned_replies_for(visible_case(session, operator, case_id), language)


@router.post("/cases/{case_id:int}/canned-replies", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
def send_canned(case_id: PathId, body: CannedReplyIn, operator: Operator = Depends(current_operator),
                session: Session = Depends(get_session)) -> MessageOut:
    """Send an approved reply, rendered from the catalogs in the person's language with the case's values."""
    message = send_canned_reply(session, operator, case_id, body.key)
    return MessageOut(id=message.id, direction=message.direction, text=message.text, media_url=None,
                      author_operator_id=operator.id, created_at=message.created_at)


@router.post("/cases/{case_id:int}/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(case_id: PathId, body: TextIn, operator: Operator = Depends(current_operator),
             session: Session = Depends(get_session)) -> NoteOut:
    """Add an internal note."""
    note = workflow.add_note(session, operator, case_id, body.text)
    return NoteOut(id=note.id, text=note.text, author_operator_id=operator.id, created_at=note.created_at)


@router.post("/cases/{case_id:int}/referrals", response_model=ReferralRecordOut, status_code=status.HTTP_201_CREATED)
def refer(case_id: PathId, body: ReferIn, operator: Operator = Depends(current_operator),
          session: Session = Depends(get_session)) -> ReferralRecordOut:
    """Record a referral to a service."""
    r = workflow.refer_to_service(session, operator, case_id, body.service_name, body.service_id,
                                  body.service_kind, body.city)
    return ReferralRecordOut(id=r.id, service_id=r.service_id, service_name=r.service_name,
                             service_kind=r.service_kind, city=r.city, created_at=r.created_at)


@router.post("/cases/{case_id:int}/waiting-person", response_model=CaseDetailOut)
def waiting_person(case_id: PathId, operator: Operator = Depends(current_operator),
                   session: Session = Depends(get_session)) -> CaseDetailOut:
    """Mark the case as waiting for the person's answer."""
    return case_detail(session, workflow.set_waiting_person(session, operator, case_id), operator)


@router.post("/cases/{case_id:int}/transfer", response_model=CaseSummaryOut)
def transfer(case_id: PathId, body: TransferIn, operator: Operator = Depends(current_operator),
             session: Session = Depends(get_session)) -> CaseSummaryOut:
    """Send the case to another queue or hand it to another operator of my association."""
    case = workflow.transfer_case(session, operator, case_id, body.queue_id, body.operator_id, body.note)
    return case_summary(case, operator)


@router.post("/cases/{case_id:int}/close", response_model=CaseDetailOut)
def close(case_id: PathId, body: CloseIn, operator: Operator = Depends(current_operator),
          session: Session = Depends(get_session)) -> CaseDetailOut:
    """Close with an outcome; the person gets the closing notice in their language."""
    case = workflow.close_case(session, operator, case_id, body.outcome, body.note)
    return case_detail(session, case, operator)


@router.get("/colleagues", response_model=list[ColleagueOut])
def list_colleagues(operator: Operator = Depends(current_operator),
                    session: Session = Depends(get_session)) -> list[ColleagueOut]:
    """Active operators of my association (not me) I can hand a case to."""
    return [ColleagueOut(id=o.id, email=o.email, languages=list(o.languages or []))
            for o in workflow.colleagues(session, operator)]


@router.get("/queues", response_model=list[QueueOut])
def list_queues(_operator: Operator = Depends(current_operator),
                session: Session = Depends(get_session)) -> list[QueueOut]:
    """Every queue, for transfers between associations."""
    rows = session.execute(select(Queue, Association.name).join(Association).order_by(Association.name, Queue.name))
    return [QueueOut(id=q.id, name=q.name, association_id=q.association_id, association_name=name)
            for q, name in rows]


def _console_association(factory: sessionmaker[Session], request: Request) -> int:
    """The logged-in operator's association, read with a short session (a stream must not hold one)."""
    with factory() as session:
        operator = session_operator(request, session)
        if operator is None:
            raise Unauthorized("not_authenticated", "Log in to the console first.")
        return operator.association_id or 0


@router.get("/events", response_class=EventSourceResponse)
async def live_events(request: Request) -> EventSourceResponse:
    """Server-sent events of my association (new cases, emergencies, person messages, updates).

    Events are rows of a table that one poller per API process reads every second
    (api/cases/live.py), so a console connected to any process sees what happened in every
    other one, and a waiting console holds no database connection.
    """
    factory = get_sessionmaker()
    association_id = await run_in_threadpool(_console_association, factory, request)
    hub = hub_for(factory)
    last_seen = request.headers.get("last-event-id", "")
    resumable = last_seen.isascii() and last_seen.isdigit() and len(last_seen) <= 10 and int(last_seen) <= ID_MAX
    start = int(last_seen) if resumable else await hub.latest()

    async def stream() -> AsyncIterator[dict[str, str]]:
        async for batch in hub.follow(association_id, start):
            for event_id, kind, payload in batch:
                yield {"id": str(event_id), "event": kind, "data": json.dumps(payload)}

    return EventSourceResponse(stream(), ping=15)
