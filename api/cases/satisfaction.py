"""Satisfaction (CSAT): one optional question when a case closes, "did this help? 1-5", answered anonymously.

`ask_satisfaction` puts the question (catalog `case.csat_question`, buttons 1-5, in the case's
language) in the outbox after the closing notice and remembers, for that conversation only, that
an answer is awaited. The person's very next message is the answer if it is a score (a button,
or 1-5 typed, in Latin or Arabic-Indic digits) given within `ANSWER_WINDOW`; anything else goes
to the bot as usual and the question is dropped, so a later "2" is never taken for a score. Once
answered, the row keeps only the score, the queue, the language and the operator (the
conversation id goes); it is deleted with its case when the case is anonymised or erased.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, Select, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.cases.models import Case, CaseSatisfaction, Operator, Queue
from api.core.clock import as_utc, utcnow
from api.db import Base
from api.nlg.render import render_response
from api.outbox.delivery import enqueue_outbound
from api.outbox.messages import OutgoingMessage

QUESTION = "case.csat_question"
THANKS = "case.csat_thanks"
ANSWER_PAYLOAD = "/csat_answer"
ANSWER_WINDOW = timedelta(hours=24)
T = TypeVar("T")
SCORES = range(1, 6)
TYPED_SCORE = re.compile(r"^\s*([1-5\u0661-\u0665])\s*$")


def ask_satisfaction(session: Session, case: Case) -> None:
    """Send the question for a closed case (chat channels only) and await the answer; the caller commits."""
    if case.conversation_id is None:
        return
    session.execute(update(CaseSatisfaction).where(CaseSatisfaction.conversation_id == case.conversation_id,
                                                   CaseSatisfaction.score.is_(None))
                    .values(conversation_id=None))
    rendered = render_response(QUESTION, case.language, {})
    enqueue_outbound(session, case.conversation_id, OutgoingMessage(
        text=rendered.text, buttons=rendered.buttons))
    session.add(CaseSatisfaction(case_id=case.id, association_id=case.queue.association_id, queue_id=case.queue_id,
                                 operator_id=case.assigned_operator_id, language=case.language,
                                 conversation_id=case.conversation_id))


def score_of(text: str) -> int | None:
    """The score a message gives (its button's payload or a typed digit 1-5), else None."""
    text = (text or "").strip()
    if text.startswith(ANSWER_PAYLOAD):
        try:
            score = int(json.loads(text[len(ANSWER_PAYLOAD):] or "{}").get("score", 0))
        except (ValueError, AttributeError, TypeError):
            return None
        return score if score in SCORES else None
    match = TYPED_SCORE.match(text)
    if match is None:
        return None
    digit = match.group(1)
    return int(digit) if digit.isascii() else ord(digit) - 0x0660


def question_pending(conversation_id: str | BindParameter[str]) -> ScalarSelect[int]:
    """The id of the question awaiting this person's answer (else NULL), as a column another query can read."""
    return _pending(select(CaseSatisfaction.id), conversation_id).scalar_subquery()


def _pending(query: Select[T], conversation_id: str | BindParameter[str]) -> Select[T]:
    return (query.where(CaseSatisfaction.conversation_id == conversation_id, CaseSatisfaction.score.is_(None))
            .order_by(CaseSatisfaction.id.desc()).limit(1))


def take_answer(session: Session, conversation_id: str, text: str) -> str | None:
    """If a question awaits this person's answer, record it (a score) or drop it (anything else).

    Returns the thanks text (in the case's language) when the message was the answer; the caller commits.
    """
    pending = session.scalar(_pending(select(CaseSatisfaction), conversation_id))
    if pending is None:
        return None
    pending.conversation_id = None
    score = score_of(text)
    if score is None or utcnow() - as_utc(pending.asked_at) > ANSWER_WINDOW:
        return None
    pending.score, pending.answered_at = score, utcnow()
    return render_response(THANKS, pending.language, {}).text


@dataclass(frozen=True)
class SatisfactionRow:
    """Answers and their average for one queue, language or operator."""

    label: str
    answers: int
    average: float


@dataclass(frozen=True)
class SatisfactionStats:
    """Answers of an association: asked, answered, and averages by queue, language and operator."""

    asked: int
    answered: int
    by_queue: list[SatisfactionRow]
    by_language: list[SatisfactionRow]
    by_operator: list[SatisfactionRow]


def satisfaction_stats(session: Session, association_id: int) -> SatisfactionStats:
    """What the stats page shows of the satisfaction answers."""
    mine = CaseSatisfaction.association_id == association_id
    asked = session.scalar(select(func.count()).select_from(CaseSatisfaction).where(mine)) or 0
    answered = CaseSatisfaction.score.is_not(None)

    def grouped(label: InstrumentedAttribute[str],
                *joins: tuple[type[Base], ColumnElement[bool]]) -> list[SatisfactionRow]:
        query = select(label, func.count(CaseSatisfaction.id), func.avg(CaseSatisfaction.score)).select_from(
            CaseSatisfaction)
        for target, condition in joins:
            query = query.outerjoin(target, condition)
        rows = session.execute(query.where(mine, answered).group_by(label).order_by(label))
        return [SatisfactionRow(label=str(name or "—"), answers=int(count), average=round(float(avg), 1))
                for name, count, avg in rows]

    by_queue = grouped(Queue.name, (Queue, Queue.id == CaseSatisfaction.queue_id))
    return SatisfactionStats(
        asked=asked, answered=sum(r.answers for r in by_queue), by_queue=by_queue,
        by_language=grouped(CaseSatisfaction.language),
        by_operator=grouped(Operator.email, (Operator, Operator.id == CaseSatisfaction.operator_id)))
