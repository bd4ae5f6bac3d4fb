""""Was this helpful?" on every chat channel: the tap is counted, never linked to the person; asked now and then.

An answer to a health or rights question carries two buttons (api/nlg/helpful.py). Their tap, or
their title or number typed by hand, is taken here before the bot: it adds one anonymous count
(message, language, day: api/feedback/helpful.py) and is answered with a short thanks, so the
dialogue never sees it. The conversation's identity remembers the question until it is answered,
so only the answer the person was asked about counts, once, even when they answer after another
turn. The buttons go out at most once per `helpful_question_minutes` per conversation: a person
asking several questions is not asked after each answer.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.orm import Session

from api.core.clock import utcnow
from api.core.config import get_settings
from api.core.logging import log_event
from api.feedback.helpful import record_vote
from api.gateways.safety import reply_from_catalog
from api.nlg.helpful import TITLE_KEYS, HelpfulAnswer, answer_in, is_helpful_payload
from api.nlg.render import render_response
from api.outbox.choices import (
    OFFER_LIFETIME,
    choose,
    normalise_choice,
    remember_offered_buttons,
)
from api.outbox.messages import BotReply, Button
from api.outbox.models import ChannelIdentity

logger = logging.getLogger(__name__)

THANKS = "channel.helpful_thanks"


def pending_question(identity: ChannelIdentity | None) -> tuple[str, str] | None:
    """(msgid, language) of the question this conversation was asked and has not answered, within the hour."""
    if identity is None or not identity.helpful_msgid or not identity.helpful_language:
        return None
    if identity.helpful_asked_at is None or utcnow() - identity.helpful_asked_at > OFFER_LIFETIME:
        return None
    return identity.helpful_msgid, identity.helpful_language


def _typed_title(text: str, question: tuple[str, str]) -> HelpfulAnswer | None:
    """The answer a typed "helpful" or "not helpful" title gives, in the language the question was asked in."""
    typed = normalise_choice(text)
    msgid, language = question
    for helpful, key in TITLE_KEYS.items():
        if typed and typed == normalise_choice(render_response(key, language, {}).text):
            return HelpfulAnswer(msgid, language, helpful)
    return None


def take_answer(session: Session, conversation_id: str, text: str,
                offered: tuple[Button, ...]) -> BotReply | None:
    """The thanks for an answer to "Was this helpful?" (counted if it was the one asked), else None.

    `offered`: the buttons the person was last offered (api/outbox/choices.py). The caller commits.
    """
    identity = session.get(ChannelIdentity, conversation_id)
    question = pending_question(identity)
    chosen = choose(text, offered)
    answer = answer_in(chosen.payload if chosen is not None else text.strip())
    if answer is None and question is not None:
        answer = _typed_title(text, question)
    if answer is None:
        return None
    if identity is not None and question == (answer.msgid, answer.language):
        record_vote(session, answer.language, answer.msgid, answer.helpful)
        identity.helpful_msgid = identity.helpful_language = None  # counted once
        # The answer's own buttons stay offered (typed numbers keep working), the two "helpful" ones go.
        remember_offered_buttons(session, conversation_id, [BotReply(buttons=tuple(
            button for button in offered if not is_helpful_payload(button.payload)))])
        log_event(logger, "helpful_answer", response=answer.msgid, language=answer.language, helpful=answer.helpful)
    else:  # answered already, asked too long ago, or a payload typed by hand: thanked, not counted
        log_event(logger, "helpful_answer_not_counted", language=answer.language)
    return reply_from_catalog(THANKS, answer.language)


def _without_question(reply: BotReply) -> BotReply:
    kept = tuple(button for button in reply.buttons if not is_helpful_payload(button.payload))
    return reply if len(kept) == len(reply.buttons) else replace(reply, buttons=kept)


def _question_of(reply: BotReply) -> HelpfulAnswer | None:
    return next((answer for b in reply.buttons if (answer := answer_in(b.payload)) is not None), None)


def ask_now_and_then(session: Session, conversation_id: str, replies: list[BotReply]) -> list[BotReply]:
    """The turn's replies with the "helpful" buttons kept on its last answer if the conversation was not asked lately.

    The caller commits.
    """
    asking = [i for i, reply in enumerate(replies) if any(is_helpful_payload(b.payload) for b in reply.buttons)]
    if not asking:
        return replies
    identity = session.get(ChannelIdentity, conversation_id)
    interval = timedelta(minutes=get_settings().helpful_question_minutes)
    asked = identity.helpful_asked_at if identity is not None else None
    question = _question_of(replies[asking[-1]])
    keep = None
    if identity is not None and question is not None and (asked is None or utcnow() - asked >= interval):
        keep = asking[-1]
        identity.helpful_asked_at = utcnow()
        identity.helpful_msgid, identity.helpful_language = question.msgid, question.language
    return [reply if i == keep else _without_question(reply) for i, reply in enumerate(replies)]
