"""WhatsApp through Twilio: a webhook's fields become a message, replies go out through Twilio's REST API."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from api.core.config import get_settings
from api.core.logging import log_event
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.gateways.text_parts import split_text
from api.outbox.delivery import deliver_pending, enqueue_outbound
from api.outbox.messages import IncomingMessage, OutgoingMessage

logger = logging.getLogger(__name__)

CHANNEL = "wa"
ADDRESS_PREFIX = "whatsapp:"
# Twilio refuses WhatsApp bodies longer than 1600 characters.
MAX_BODY_CHARS = 1600

# Twilio's HTTP client logs every request at INFO; ours logs ids only.
_twilio_http_logger = logging.getLogger(f"{__name__}.twilio_http")
_twilio_http_logger.setLevel(logging.WARNING)


def phone_of(address: str) -> str:
    """`whatsapp:+2126…` → `+2126…` (the raw id the conversation id is derived from)."""
    return address[len(ADDRESS_PREFIX):] if address.startswith(ADDRESS_PREFIX) else address


def split_body(text: str) -> list[str]:
    """Cut a long text into WhatsApp messages (1600 characters at most), on line boundaries."""
    return split_text(text, MAX_BODY_CHARS)


def render_with_choices(message: OutgoingMessage) -> str:
    """The text followed by the buttons as numbered choices ("1. …").

    The person answers by typing the number or the title; the shared gateway path turns either
    into the button's payload (api/outbox/choices.py), as on every channel.
    """
    if not message.buttons:
        return message.text
    choices = "\n".join(f"{number}. {button.title}" for number, button in enumerate(message.buttons, 1))
    return f"{message.text}\n\n{choices}" if message.text else choices


def text_from_form(form: Mapping[str, str]) -> str:
    """The message for Rasa: a pressed quick reply's payload, else the typed text."""
    if form.get("ButtonPayload"):
        return form["ButtonPayload"]
    return form.get("Body", "").strip() or form.get("ButtonText", "").strip()


def incoming_from_form(form: Mapping[str, str]) -> IncomingMessage:
    """Build the channel-neutral message from Twilio's webhook fields."""
    phone = phone_of(form.get("From", ""))
    media_url = form.get("MediaUrl0") if int(form.get("NumMedia", "0") or 0) > 0 else None
    metadata = {"media_type": form["MediaContentType0"]} if media_url and form.get("MediaContentType0") else {}
    latitude, longitude = form.get("Latitude"), form.get("Longitude")
    return IncomingMessage(
        channel=CHANNEL, user_key=phone, text=text_from_form(form), metadata=metadata,
        media_url=media_url,
        latitude=float(latitude) if latitude else None, longitude=float(longitude) if longitude else None)


async def answer_whatsapp_message(factory: sessionmaker[Session], form: Mapping[str, str]) -> None:
    """Hand the message to the gateway and send the replies through the outbox (kept if Twilio fails)."""
    with factory() as session:
        message = incoming_from_form(form)
        replies = await handle_incoming(session, message)
        conversation_id = conversation_id_for(CHANNEL, message.user_key)
        for reply in replies:
            enqueue_outbound(session, conversation_id, reply)
        session.commit()
    log_event(logger, "whatsapp_message_handled", replies=len(replies), media=message.media_url is not None)
    if replies:
        await deliver_pending(factory)


def twilio_client(http_client: AsyncTwilioHttpClient) -> Client:
    """A Twilio REST client for our account; `twilio_api_base` points it at a test double."""
    settings = get_settings()
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    if settings.twilio_api_base:
        client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client


async def send_whatsapp(address: str, message: OutgoingMessage) -> None:
    """Outbox sender for "wa": one Twilio message per 1600-character part, the image with the first, the
    recording (if any) last."""
    settings = get_settings()
    sender = settings.twilio_whatsapp_from
    sender = sender if sender.startswith(ADDRESS_PREFIX) else ADDRESS_PREFIX + sender
    parts = split_body(render_with_choices(message)) or [""]
    async with AsyncTwilioHttpClient(timeout=15, logger=_twilio_http_logger) as http_client:
        client = twilio_client(http_client)
        for index, part in enumerate(parts):
            extra = {"media_url": [message.image]} if message.image and index == 0 else {}
            await client.messages.create_async(from_=sender, to=ADDRESS_PREFIX + phone_of(address),
                                               body=part, **extra)
        if message.audio:
            # WhatsApp shows no caption under audio: the recording follows the text as media of its own.
            await client.messages.create_async(from_=sender, to=ADDRESS_PREFIX + phone_of(address),
                                               media_url=[message.audio])
    log_event(logger, "whatsapp_sent", parts=len(parts), audio=message.audio is not None)
