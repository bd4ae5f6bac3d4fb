"""The path every channel shares: a person's message goes to their operator's case or to Rasa."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.cases import handoff
from api.core.config import get_settings
from api.core.logging import log_event
from api.crypto import encrypt, pseudonym
from api.gateways.bot_history import erase_requested_bot_history
from api.gateways.messages import BotReply, IncomingMessage
from api.gateways.models import ChannelIdentity, InboundMessage, OutboundMessage, utcnow
from api.gateways.outbound import enqueue_outbound
from api.nlg.render import render_response

logger = logging.getLogger(__name__)

# A message still "processing" after this long belongs to a process that died: hand it out again.
STALE_PROCESSING = timedelta(minutes=2)


class BotUnavailable(Exception):
    """Rasa did not answer; the message stays stored and is redelivered later."""


def conversation_id_for(channel: str, user_key: str) -> str:
    """One stable, pseudonymous conversation id per person per channel (`tg-…`, `wa-…`)."""
    return f"{channel}-{pseudonym(channel, user_key)}"


def remember_identity(session: Session, channel: str, user_key: str) -> str:
    """Store (encrypted) how to reach this person again and return their conversation id."""
    conversation_id = conversation_id_for(channel, user_key)
    identity = session.get(ChannelIdentity, conversation_id)
    if identity is None:
        session.add(ChannelIdentity(conversation_id=conversation_id, channel=channel,
                                    encrypted_address=encrypt(user_key)))
    else:
        identity.last_seen_at = utcnow()
    return conversation_id


def text_for_bot(msg: IncomingMessage) -> str:
    """What Rasa receives: the text, or a location as the `/share_location` intent payload."""
    if msg.latitude is not None and msg.longitude is not None:
        location = json.dumps({"latitude": msg.latitude, "longitude": msg.longitude})
        return f"/share_location{location}"
    return msg.text


def rasa_api_params() -> dict[str, str]:
    """Query parameters every call to Rasa's HTTP API carries: its `--auth-token` (botserver/__main__.py)."""
    return {"token": get_settings().rasa_auth_token}


def rasa_channel_headers() -> dict[str, str]:
    """Headers of a message to Rasa's REST channel, which wants the same token (botserver/channel.py)."""
    return {"Authorization": f"Bearer {get_settings().rasa_auth_token}"}


async def ask_bot(conversation_id: str, text: str, metadata: dict) -> list[BotReply]:
    """Send one message to Rasa's REST channel and return its replies."""
    settings = get_settings()
    body = {"sender": conversation_id, "message": text, "metadata": metadata}
    try:
        async with httpx.AsyncClient(timeout=settings.rasa_timeout_seconds) as client:
            response = await client.post(f"{settings.rasa_url}/webhooks/rest/webhook", json=body,
                                         headers=rasa_channel_headers())
            response.raise_for_status()
    except httpx.HTTPError as exc:
        raise BotUnavailable(type(exc).__name__) from exc
    return [BotReply.from_rasa(item) for item in response.json()]


async def conversation_language(conversation_id: str) -> str:
    """The conversation's language slot from Rasa's tracker, or the default language."""
    settings = get_settings()
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(f"{settings.rasa_url}/conversations/{conversation_id}/tracker",
                                        params={"include_events": "NONE", **rasa_api_params()})
            response.raise_for_status()
            return (response.json().get("slots") or {}).get("language") or settings.default_language
    except (httpx.HTTPError, ValueError):
        return settings.default_language


async def handle_incoming(session: Session, msg: IncomingMessage) -> list[BotReply]:
    """Route one message: to the operator holding the person's case, else to the bot.

    The message is committed before Rasa is asked, so if Rasa is down it is kept and
    `redeliver_pending_inbound` answers it later through the outbox.
    """
    conversation_id = remember_identity(session, msg.channel, msg.user_key)
    case = handoff.open_case_held_by_operator(session, conversation_id)
    if case is not None:
        handoff.record_person_message(session, case, msg.text, media_url=msg.media_url)
        session.commit()
        log_event(logger, "message_to_case", channel=msg.channel, case_id=case.id)
        return []
    if msg.media_url and not msg.text:
        # A voice note or photo cannot go to the bot; it joins the person's open case if there is one.
        waiting_case = handoff.open_case_of_person(session, conversation_id)
        if waiting_case is not None:
            handoff.record_person_message(session, waiting_case, "", media_url=msg.media_url)
        session.commit()
        language = msg.metadata.get("language") or await conversation_language(conversation_id)
        return [_reply_from_catalog("channel.media_acknowledged", language)]

    inbound = InboundMessage(conversation_id=conversation_id, channel=msg.channel, status="processing",
                             text=text_for_bot(msg), message_metadata=dict(msg.metadata))
    session.add(inbound)
    session.commit()
    try:
        replies = await ask_bot(conversation_id, inbound.text, inbound.message_metadata)
    except BotUnavailable as exc:
        log_event(logger, "bot_unavailable", logging.WARNING, channel=msg.channel, error=str(exc))
        inbound.status = "pending"
        session.commit()
        language = msg.metadata.get("language") or get_settings().default_language
        return [_reply_from_catalog("channel.delayed_reply", language)]
    inbound.status, inbound.processed_at = "done", utcnow()
    session.commit()
    erase_requested_bot_history(session, conversation_id)
    log_event(logger, "message_to_bot", channel=msg.channel, replies=len(replies))
    return replies


def erase_conversation_copies(session: Session, conversation_id: str) -> None:
    """The person's /forget on the gateway side: drop the texts the gateway kept; the caller commits.

    Answered messages lose their text and sent replies are deleted. Messages still waiting
    (for Rasa or for delivery) stay so that the answer to the erasure itself still reaches the
    person, and the encrypted address stays because it is how that answer is sent.
    """
    session.execute(update(InboundMessage)
                    .where(InboundMessage.conversation_id == conversation_id, InboundMessage.status == "done")
                    .values(text=""))
    session.execute(delete(OutboundMessage)
                    .where(OutboundMessage.conversation_id == conversation_id, OutboundMessage.status == "sent"))


def _reply_from_catalog(key: str, language: str) -> BotReply:
    rendered = render_response(key, language, {})
    return BotReply(text=rendered.text)


async def redeliver_pending_inbound(factory: sessionmaker[Session], limit: int = 20) -> int:
    """Answer messages that arrived while Rasa was down; replies go out through the outbox."""
    delivered = 0
    with factory() as session:
        session.execute(update(InboundMessage)
                        .where(InboundMessage.status == "processing",
                               InboundMessage.created_at < utcnow() - STALE_PROCESSING)
                        .values(status="pending"))
        session.commit()
        rows = session.scalars(
            select(InboundMessage).where(InboundMessage.status == "pending")
            .order_by(InboundMessage.id).limit(limit)
        ).all()
        for row in rows:
            claimed = session.execute(
                update(InboundMessage).where(InboundMessage.id == row.id,
                                             InboundMessage.status == "pending")
                .values(status="processing", attempts=InboundMessage.attempts + 1)
            ).rowcount
            session.commit()
            if not claimed:
                continue
            try:
                replies = await ask_bot(row.conversation_id, row.text, row.message_metadata)
            except BotUnavailable:
                session.execute(update(InboundMessage).where(InboundMessage.id == row.id)
                                .values(status="pending"))
                session.commit()
                break
            for reply in replies:
                enqueue_outbound(session, row.conversation_id, reply)
            session.execute(update(InboundMessage).where(InboundMessage.id == row.id)
                            .values(status="done", processed_at=utcnow()))
            session.commit()
            erase_requested_bot_history(session, row.conversation_id)
            delivered += 1
    return delivered
