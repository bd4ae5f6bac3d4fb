"""The path every channel shares: a person's message goes to their operator's case or to Rasa, and is answered."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

import httpx
from sqlalchemy import Select, String, bindparam, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.cases import handoff
from api.cases.events import audit, emit_live_event
from api.cases.models import Case
from api.cases.satisfaction import question_pending
from api.cases.satisfaction import take_answer as take_satisfaction_answer
from api.core.clock import utcnow
from api.core.config import get_settings
from api.core.http_client import http_client
from api.core.logging import log_event
from api.crypto import encrypt, pseudonym
from api.db import in_database_thread
from api.forgetting.erasure import complete_erasure, erasure_requested
from api.gateways import helpful
from api.gateways.bot_turns import NoTurnSlot, bot_turn_slot
from api.gateways.language_names import named_language_payload
from api.gateways.rasa_auth import rasa_api_params, rasa_channel_headers
from api.gateways.responses import rendered_replies
from api.gateways.safety import (
    BOT_FAILED,
    EMERGENCY_NUMBERS,
    bot_is_up,
    is_emergency,
    reply_from_catalog,
    settle_turn,
)
from api.nlg.catalogs import one_version_per_message
from api.outbox import receipts
from api.outbox.choices import (
    buttons_on_offer,
    choose,
    forget_offered_buttons,
    remember_offered_buttons,
    western_digits,
)
from api.outbox.claims import claim_pending
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import BotReply, Button, IncomingMessage, with_recordings_attached
from api.outbox.models import ChannelIdentity, InboundMessage, OfferedChoice
from api.privacy.contacts import capture_number, take_captured_number
from api.privacy.redaction import redact, round_coordinate

logger = logging.getLogger(__name__)

# A message still "processing" after this long belongs to a process that died: hand it out again.
STALE_PROCESSING = timedelta(minutes=2)
# Asking to be forgotten while an operator holds the case: the command and the answer to the
# bot's confirmation question go to the bot, not to the operator, within this time.
FORGET_PAYLOAD = "/forget_me"
FORGET_COMMANDS = frozenset({FORGET_PAYLOAD, "/forget"})
FORGET_CONFIRMATION_WINDOW = timedelta(minutes=10)
# Told to Rasa with a message whose callable number the gateway kept (actions/escalation.py).
CONTACT_CAPTURED = "contact_captured"
SHARE_LOCATION = re.compile(r"^/share_location(\{.*)$", re.DOTALL)
# A message Rasa keeps failing on is answered with channel.bot_failed after this many tries,
# so it neither stays unanswered nor holds up the messages behind it.
MAX_REDELIVERY_ATTEMPTS = 5


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


def text_for_bot(msg: IncomingMessage, offered: tuple[Button, ...]) -> str:
    """What Rasa receives: a location as `/share_location{...}`; a typed choice or a language's own name typed
    alone as its button's payload; else the text.

    A location is rounded to about 1 km (2 decimals) here, before it is stored anywhere, also
    when the payload was typed by hand.
    """
    if msg.latitude is not None and msg.longitude is not None:
        return location_payload(msg.latitude, msg.longitude)
    typed = SHARE_LOCATION.match(msg.text or "")
    if typed:
        try:
            values = json.loads(typed.group(1))
            return location_payload(float(values["latitude"]), float(values["longitude"]))
        except (ValueError, TypeError, KeyError, OverflowError):
            return "/share_location"  # a broken payload keeps the intent and loses the numbers
    chosen = choose(msg.text, offered)
    if chosen is not None:
        log_event(logger, "typed_choice", channel=msg.channel)
        return chosen.payload
    named = named_language_payload(msg.text)
    if named is not None:
        log_event(logger, "typed_language_name", channel=msg.channel)
        return named
    return western_digits(msg.text)


def location_payload(latitude: float, longitude: float) -> str:
    """`/share_location{"latitude": 34.68, "longitude": -1.91}`, rounded to about 1 km.

    A point off the globe keeps the intent without numbers: the assistant then asks for the town.
    """
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return "/share_location"
    location = json.dumps({"latitude": round_coordinate(latitude), "longitude": round_coordinate(longitude)})
    return f"/share_location{location}"


def redacted_message(session: Session, conversation_id: str, msg: IncomingMessage) -> IncomingMessage:
    """The message with numbers, document numbers and emails replaced; a callable number is kept aside.

    The number goes encrypted into the conversation's captured contact; the message tells Rasa
    only that one was given (`contact_captured`), so the escalation form can accept it.
    """
    redacted = redact(msg.text)
    if not redacted.changed:
        return msg
    metadata = dict(msg.metadata)
    if redacted.callback_number:
        capture_number(session, conversation_id, redacted.callback_number)
        metadata[CONTACT_CAPTURED] = True
    log_event(logger, "message_redacted", channel=msg.channel, phones=redacted.phones,
              documents=redacted.documents, emails=redacted.emails)
    return replace(msg, text=redacted.text, metadata=metadata)


def goes_to_bot_despite_operator(identity: ChannelIdentity | None, text: str) -> bool:
    """/forget, and the answer to the bot's "erase?" question, reach the bot even while an operator holds the case."""
    if text.strip() in FORGET_COMMANDS:
        return True
    asked = identity.forget_asked_at if identity is not None else None
    if asked is None:
        return False
    asked = asked if asked.tzinfo else asked.replace(tzinfo=utcnow().tzinfo)
    return utcnow() - asked < FORGET_CONFIRMATION_WINDOW


async def ask_bot(conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
    """Send one message to Rasa's REST channel and return its replies, rendered for the person.

    The turn waits for one of the process's slots first (api/gateways/bot_turns.py).
    """
    settings = get_settings()
    body = {"sender": conversation_id, "message": text, "metadata": metadata}
    try:
        async with bot_turn_slot(settings):
            response = await http_client().post(f"{settings.rasa_url}/webhooks/rest/webhook", json=body,
                                                headers=rasa_channel_headers(), timeout=settings.rasa_timeout_seconds)
        response.raise_for_status()
    except (httpx.HTTPError, NoTurnSlot) as exc:
        raise BotUnavailable(type(exc).__name__) from exc
    return with_recordings_attached(await rendered_replies(response.json(), settings))


async def conversation_language(conversation_id: str) -> str:
    """The conversation's language slot from Rasa's tracker, or the default language."""
    settings = get_settings()
    try:
        response = await http_client().get(f"{settings.rasa_url}/conversations/{conversation_id}/tracker",
                                           params={"include_events": "NONE", **rasa_api_params()}, timeout=5)
        response.raise_for_status()
        return (response.json().get("slots") or {}).get("language") or settings.default_language
    except (httpx.HTTPError, ValueError):
        return settings.default_language


@dataclass
class Known:
    """What routing a message needs to know of a person who wrote before, read in one query (`_known`)."""

    identity: ChannelIdentity
    offer: OfferedChoice | None  # the buttons last offered (api/outbox/choices.py)
    held_case_id: int | None  # the case an operator holds (api/cases/handoff.py)
    satisfaction_asked: bool  # a question awaits their answer (api/cases/satisfaction.py)


@dataclass
class Routed:
    """Where a message goes, decided (and stored) in one database round off the event loop."""

    msg: IncomingMessage
    conversation_id: str
    case: Case | None = None
    inbound: InboundMessage | None = None
    media: bool = False
    answered: list[BotReply] | None = None  # answered here without the bot (a satisfaction score)
    # What `_route` read, held until the turn is over: the session's identity map holds its rows
    # weakly, and the turn's last round reads the identity again ("Was this helpful?").
    known: Known | None = None


def _known(session: Session, conversation_id: str) -> Known | None:
    """The conversation's identity, offered buttons, held case and pending question; None if it has no identity.

    One statement instead of four: they are read for every message.
    """
    row = session.execute(_known_statement(), {"conversation_id": conversation_id}).first()
    if row is None:
        return None
    identity, offer, held, pending = row
    return Known(identity=identity, offer=offer, held_case_id=held, satisfaction_asked=pending is not None)


@lru_cache(maxsize=1)
def _known_statement() -> Select[ChannelIdentity, OfferedChoice | None, int | None, int | None]:
    """`_known`'s query, built once (the conversation is a bound parameter)."""
    conversation_id = bindparam("conversation_id", type_=String)
    return (select(ChannelIdentity, OfferedChoice, handoff.held_case_id(conversation_id),
                   question_pending(conversation_id))
            .outerjoin(OfferedChoice, OfferedChoice.conversation_id == ChannelIdentity.conversation_id)
            .where(ChannelIdentity.conversation_id == conversation_id))


class AlreadyReceived(Exception):
    """This client message id was received before: its first request answers it (api/outbox/receipts.py)."""


def _route(session: Session, msg: IncomingMessage, client_message_id: str | None = None) -> Routed:
    """The database work before the bot is asked: identity, redaction, routing, the stored message.

    One transaction, committed: the web chat's receipt is claimed first in it (a retry rolls it back).
    """
    conversation_id = conversation_id_for(msg.channel, msg.user_key)
    if client_message_id and not receipts.claim(session, conversation_id, client_message_id):
        raise AlreadyReceived(client_message_id)
    known = _known(session, conversation_id)
    if known is None:  # the first message (or the first after the identity was deleted): stored, then read
        remember_identity(session, msg.channel, msg.user_key)
        known = _known(session, conversation_id)
        assert known is not None
    else:
        known.identity.last_seen_at = utcnow()
    msg = redacted_message(session, conversation_id, msg)
    case = session.get(Case, known.held_case_id) if known.held_case_id is not None else None
    if case is not None and goes_to_bot_despite_operator(known.identity, msg.text):
        # The bot asks for confirmation (then erases); the operator is told once it is done.
        asking = msg.text.strip() in FORGET_COMMANDS
        known.identity.forget_asked_at = utcnow() if asking else None
        if asking:
            msg = replace(msg, text=FORGET_PAYLOAD)
        case = None
    # The buttons the person was last offered: a typed number or title selects one (read once per message).
    offered = buttons_on_offer(known.offer) if case is None and msg.text else ()
    if case is None and msg.text:
        # The answer to "did this help? 1-5" after a closed case is not for the bot (api/cases/satisfaction.py).
        thanks = take_satisfaction_answer(session, conversation_id, msg.text) if known.satisfaction_asked else None
        if thanks is not None:
            session.commit()
            return Routed(msg, conversation_id, answered=[BotReply(text=thanks)])
        # A tap on "Was this helpful?" is counted here and never reaches the dialogue (api/gateways/helpful.py).
        counted = helpful.take_answer(session, conversation_id, msg.text, offered)
        if counted is not None:
            session.commit()
            return Routed(msg, conversation_id, answered=[counted])
    if case is not None:
        # Committed now: the identity and a captured number must not hold SQLite's write lock while the
        # emergency check awaits Rasa, or a job round on the event loop waits for that lock and stalls the API.
        session.commit()
        return Routed(msg, conversation_id, case=case)
    if msg.media_url and not msg.text:
        # A voice note or photo cannot go to the bot; it joins the person's open case if there is one.
        waiting_case = handoff.open_case_of_person(session, conversation_id)
        if waiting_case is not None:
            handoff.record_person_message(session, waiting_case, "", media_url=msg.media_url,
                                          media_type=msg.metadata.get("media_type"))
        session.commit()
        return Routed(msg, conversation_id, media=True)
    inbound = InboundMessage(conversation_id=conversation_id, channel=msg.channel, status="processing",
                             text=text_for_bot(msg, offered), message_metadata=dict(msg.metadata))
    session.add(inbound)
    session.commit()
    return Routed(msg, conversation_id, inbound=inbound, known=known)


def _bot_unavailable(session: Session, inbound: InboundMessage, replies: list[BotReply],
                     client_message_id: str | None) -> None:
    """Rasa did not answer: the message waits for redelivery; a retry gets the same "later" answer. Commits."""
    inbound.status = "pending"
    forget_offered_buttons(session, inbound.conversation_id)
    if client_message_id:
        receipts.record_replies(session, inbound.conversation_id, client_message_id,
                                [reply.to_dict() for reply in replies])
    session.commit()


def _answered(session: Session, inbound: InboundMessage, replies: list[BotReply],
              client_message_id: str | None = None, known: Known | None = None) -> list[BotReply]:
    """The turn is over: its buttons and receipt kept, the stored message deleted, a pending erasure finished.

    Returns the replies as they go out ("Was this helpful?" only now and then). One commit (then one
    more only if an erasure is pending). `known`: what `_route` read of the conversation.
    """
    replies = helpful.ask_now_and_then(session, inbound.conversation_id, replies)
    remember_offered_buttons(session, inbound.conversation_id, replies,
                             stored=None if known is None else known.offer is not None)
    if client_message_id:
        receipts.record_replies(session, inbound.conversation_id, client_message_id,
                                [reply.to_dict() for reply in replies])
    # Answered: the text is in Rasa's tracker now; the gateway keeps no copy of it.
    session.execute(delete(InboundMessage).where(InboundMessage.id == inbound.id))
    erasing = erasure_requested(session, inbound.conversation_id)
    session.commit()
    if erasing:  # a /forget in this turn: Rasa has saved it, delete it now
        complete_erasure(session, inbound.conversation_id)
    return replies


async def handle_incoming(session: Session, msg: IncomingMessage,
                          client_message_id: str | None = None) -> list[BotReply]:
    """Route one message: to the operator holding the person's case, else to the bot; never unanswered.

    The message is committed before Rasa is asked, so if Rasa is down it is kept and
    `redeliver_pending_inbound` answers it later through the outbox. A bot turn that comes back
    empty or looping is answered by the gateway itself (`safety.settle_turn`).

    The database work runs in the thread pool, in two rounds (before and after the bot), so a
    slow query or commit never holds up the other conversations on the event loop; the session
    is only ever used by one thread at a time.

    Every text of its answer comes from one version of the catalogs (api/nlg/catalogs.py).

    With a `client_message_id` (the web chat's), a message id received before raises
    `AlreadyReceived` before anything is stored; the bot turn's replies are kept with its receipt.
    """
    with one_version_per_message():
        return await _handle_incoming(session, msg, client_message_id)


async def _handle_incoming(session: Session, msg: IncomingMessage,
                           client_message_id: str | None = None) -> list[BotReply]:
    """`handle_incoming` inside one catalog version."""
    routed = await in_database_thread(_route, session, msg, client_message_id)
    msg, conversation_id = routed.msg, routed.conversation_id
    if routed.case is not None or routed.media or routed.answered is not None:
        if routed.answered is not None:
            replies = routed.answered
        elif routed.case is not None:
            replies = await message_to_operator(session, routed.case, msg)
        else:
            language = msg.metadata.get("language") or await conversation_language(conversation_id)
            replies = [reply_from_catalog("channel.media_acknowledged", language)]
        if client_message_id:
            await in_database_thread(receipts.record_replies_now, session, conversation_id, client_message_id,
                                     [reply.to_dict() for reply in replies])
        return replies
    inbound = routed.inbound
    assert inbound is not None
    try:
        replies = await ask_bot(conversation_id, inbound.text, inbound.message_metadata)
    except BotUnavailable as exc:
        log_event(logger, "bot_unavailable", logging.WARNING, channel=msg.channel, error=str(exc))
        language = msg.metadata.get("language") or get_settings().default_language
        replies = [reply_from_catalog("channel.delayed_reply", language, with_hotline=True)]
        await in_database_thread(_bot_unavailable, session, inbound, replies, client_message_id)
        return replies
    replies = await settle_turn(conversation_id, replies, msg.metadata.get("language"))
    replies = await in_database_thread(_answered, session, inbound, replies, client_message_id, routed.known)
    log_event(logger, "message_to_bot", channel=msg.channel, replies=len(replies))
    return replies


def _captured(session: Session, conversation_id: str, msg: IncomingMessage) -> str | None:
    """The number this message gave, for the operator's case (it stays out of the message text)."""
    if not msg.metadata.get(CONTACT_CAPTURED):
        return None
    return take_captured_number(session, conversation_id)


async def message_to_operator(session: Session, case: Case, msg: IncomingMessage) -> list[BotReply]:
    """The person writes to the operator who holds their case; an emergency also gets the numbers at once.

    The operator may be busy or away: the emergency numbers cannot wait for them, and the
    console is told (live event `person_emergency`, audited).
    """
    emergency = await is_emergency(msg.text) if msg.text else False
    await in_database_thread(_record_for_operator, session, case, msg, emergency)
    log_event(logger, "message_to_case", channel=msg.channel, case_id=case.id, emergency=emergency)
    return [reply_from_catalog(EMERGENCY_NUMBERS, case.language)] if emergency else []


def _record_for_operator(session: Session, case: Case, msg: IncomingMessage, emergency: bool) -> None:
    conversation_id = case.conversation_id or ""
    message = handoff.record_person_message(session, case, msg.text, media_url=msg.media_url,
                                            callback_number=_captured(session, conversation_id, msg),
                                            media_type=msg.metadata.get("media_type"))
    # Buttons the bot offered before the handoff mean nothing to the operator's conversation.
    forget_offered_buttons(session, conversation_id)
    if emergency:
        audit(session, "person_emergency_message", case, actor="person", message_id=message.id)
        emit_live_event(session, case, "person_emergency", message_id=message.id)
    session.commit()


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
            if not claim_pending(session, InboundMessage, row.id, status="processing"):
                continue
            try:
                replies = await ask_bot(row.conversation_id, row.text, row.message_metadata)
            except BotUnavailable:
                session.refresh(row)
                if row.attempts < MAX_REDELIVERY_ATTEMPTS or not await bot_is_up():
                    session.execute(update(InboundMessage).where(InboundMessage.id == row.id)
                                    .values(status="pending"))
                    session.commit()
                    break
                # Rasa answers others but keeps failing on this one: say so, and go on with the next.
                log_event(logger, "bot_failed_on_message", logging.WARNING, attempts=row.attempts)
                replies = [reply_from_catalog(BOT_FAILED, row.message_metadata.get("language")
                                              or get_settings().default_language, with_hotline=True)]
            else:
                replies = await settle_turn(row.conversation_id, replies, row.message_metadata.get("language"))
                replies = helpful.ask_now_and_then(session, row.conversation_id, replies)
            remember_offered_buttons(session, row.conversation_id, replies)
            for reply in replies:
                enqueue_outbound(session, row.conversation_id, reply)
            session.execute(delete(InboundMessage).where(InboundMessage.id == row.id))
            session.commit()
            complete_erasure(session, row.conversation_id)
            delivered += 1
    return delivered
