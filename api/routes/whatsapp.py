"""The Twilio WhatsApp webhook: signed requests only, an empty TwiML answer at once, replies via the REST API."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from twilio.twiml.messaging_response import MessagingResponse

from api.db import get_sessionmaker
from api.gateways.twilio_signature import verified_twilio_form
from api.gateways.whatsapp import answer_whatsapp_message

router = APIRouter(tags=["whatsapp"])


def session_factory() -> sessionmaker[Session]:
    """The session factory background work opens its own sessions with (the request's is closed by then)."""
    return get_sessionmaker()


@router.post("/webhooks/whatsapp", include_in_schema=False)
async def whatsapp_webhook(background: BackgroundTasks, form: dict[str, str] = Depends(verified_twilio_form),
                           factory: sessionmaker[Session] = Depends(session_factory)) -> Response:
    """Acknowledge Twilio immediately; the message is answered after the response, through the outbox."""
    background.add_task(answer_whatsapp_message, factory, form)
    return Response(str(MessagingResponse()), media_type="application/xml")
