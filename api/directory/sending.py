"""An operator sends a directory place to the person of a case: through the outbox, recorded as a referral."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from api.cases.access import held_case
from api.cases.events import audit_and_live_event
from api.cases.models import CaseMessage, Operator, Referral
from api.cases.workflow import CHANNELS_WITHOUT_CHAT
from api.core.errors import Conflict
from api.core.logging import log_event
from api.directory.answer import sent_place_text
from api.directory.editing import get_place
from api.nlg.render import render_response
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import OutgoingMessage

logger = logging.getLogger(__name__)
SENT_NOTICE = "case.place_sent"


def send_place(session: Session, operator: Operator, case_id: int, place_id: int) -> tuple[CaseMessage, Referral]:
    """Write the place to the person in the case's language (outbox), and record the referral (committed)."""
    case = held_case(session, operator, case_id)
    if case.conversation_id is None:
        raise Conflict("person_erased", "The person asked to erase their data; they can no longer be reached.")
    if case.channel in CHANNELS_WITHOUT_CHAT:
        raise Conflict("no_chat_channel", "This person called the phone line: read the place to them when you call.")
    place = get_place(session, place_id)
    if place.hidden or place.withdrawn:
        raise Conflict("place_not_listed", "This place is hidden or withdrawn from the directory.")
    text = render_response(SENT_NOTICE, case.language, {"place": sent_place_text(place, case.language)}).text
    message = CaseMessage(case_id=case.id, direction="out", text=text, author_operator_id=operator.id)
    referral = Referral(case_id=case.id, service_id=place.key, service_name=place.name[:200],
                        service_kind=place.kind, city=place.town, operator_id=operator.id)
    session.add_all([message, referral])
    enqueue_outbound(session, case.conversation_id, OutgoingMessage(text=text))
    session.flush()
    audit_and_live_event(session, "place_sent", case, operator, "operator_message",
                         operator.association_id or 0, message_id=message.id, referral_id=referral.id,
                         place_id=place.id)
    session.commit()
    log_event(logger, "place_sent", case_id=case.id, operator_id=operator.id, place_id=place.id)
    return message, referral
