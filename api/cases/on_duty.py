"""Which languages the operators on duty speak, for routing by language and for telling the person honestly.

An operator is **on duty** when their account is active, works on cases (role operator,
supervisor or admin) and has at least one live console session: logged in, not logged out,
not expired (`api/auth/sessions.py`; a session lasts `CONSOLE_SESSION_MAX_AGE_SECONDS`,
8 hours by default). Server-side sessions are the one record of who is at a console now
that every API process shares, so the queue page, the referral answer and the bot's notes
all agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cases.access import CASE_ROLES
from api.cases.models import Operator, OperatorSession
from api.core.clock import utcnow


def languages_on_duty(session: Session, association_id: int | None = None,
                      now: datetime | None = None) -> frozenset[str]:
    """The languages spoken by the operators on duty (of one association, or of any when None)."""
    now = now or utcnow()
    query = (select(Operator.languages)
             .join(OperatorSession, OperatorSession.operator_id == Operator.id)
             .where(Operator.active.is_(True), Operator.role.in_(sorted(CASE_ROLES)),
                    OperatorSession.expires_at > now))
    if association_id is not None:
        query = query.where(Operator.association_id == association_id)
    spoken: set[str] = set()
    for languages in session.scalars(query):
        spoken.update(str(code) for code in languages or ())
    return frozenset(spoken)


def speaker_on_duty(session: Session, language: str, association_id: int | None = None,
                    now: datetime | None = None) -> bool:
    """Whether an operator on duty (of that association, or of any) speaks `language`."""
    return language in languages_on_duty(session, association_id, now)
