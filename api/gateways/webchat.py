"""The web chat gateway: a browser's message becomes a turn of the conversation; its later messages are polled.

The page has no push channel: a message that reaches the person outside a request (an operator's
reply, a late bot answer) is an outbox row marked sent, which the page fetches by id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.config import get_settings
from api.db import in_database_thread
from api.gateways.conversation import AlreadyReceived, conversation_id_for, handle_incoming
from api.gateways.safety import reply_from_catalog
from api.outbox import receipts
from api.outbox.messages import IncomingMessage
from api.outbox.models import OutboundMessage

CHANNEL = "web"
UPDATES_PER_REQUEST = 100


async def exchange(session: Session, token: str, text: str, client_message_id: str | None = None,
                   latitude: float | None = None, longitude: float | None = None) -> list[dict[str, Any]]:
    """The replies to one message of the page (as outbox payloads).

    With a `client_message_id`, a retry of a message already received is answered with the first
    request's replies (waiting for them if it is still being answered): never a second bot turn.
    """
    conversation_id = conversation_id_for(CHANNEL, token)
    incoming = IncomingMessage(channel=CHANNEL, user_key=token, text=text, latitude=latitude, longitude=longitude)
    try:
        return [r.to_dict() for r in await handle_incoming(session, incoming, client_message_id=client_message_id)]
    except AlreadyReceived:
        first = await receipts.replies_of_first_request(session, conversation_id, client_message_id or "",
                                                        get_settings().rasa_timeout_seconds)
        if first is None:  # still being answered: its replies will reach the page through the updates
            first = [reply_from_catalog("channel.delayed_reply", get_settings().default_language,
                                        with_hotline=True).to_dict()]
        return first
    except BaseException:
        if client_message_id:  # not answered: a retry may try it afresh
            await in_database_thread(receipts.release, session, conversation_id, client_message_id)
        raise


def updates_since(session: Session, token: str, after: int) -> list[dict[str, Any]]:
    """Messages sent to the page's conversation after outbox id `after`, each with its `id`."""
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.conversation_id == conversation_id_for(CHANNEL, token),
                                      OutboundMessage.status == "sent", OutboundMessage.id > after)
        .order_by(OutboundMessage.id).limit(UPDATES_PER_REQUEST)
    ).all()
    return [{**row.payload, "id": row.id} for row in rows]


async def deliver_to_webchat(_address: str, _message: object) -> None:
    """The web chat has nothing to push: a sent outbox row is what the page fetches."""
