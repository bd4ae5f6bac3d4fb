"""Retention: what is kept only for a while, removed by the API's worker every hour and by `make purge`.

The limits are settings (api/core/config.py, docs/privacy.md):

* every message row of the gateways (inbound and outbound) older than RETENTION_BOT_CONVERSATION_DAYS
  (30) days; a conversation whose person has written nothing for that long and who has no open case
  loses its channel identity and its history in Rasa's tracker store too (any conversation of the
  tracker store whose newest event is that old goes, whatever the gateway knows about it);
* a finished case (referred, resolved, closed) becomes anonymous statistics
  RETENTION_CLOSED_CASE_DAYS (90) days after it was closed (api/cases/anonymise.py);
* a number typed but never taken by a callback request, after RETENTION_CAPTURED_NUMBER_DAYS (7) days;
* console live events after 6 hours.

Open cases are never removed by time: the person is still waiting for the hotline.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.bot_history import TrackerStoreUnavailable, delete_tracker_events, inactive_tracker_conversations
from api.cases.access import FINAL_STATUSES, OPEN_STATUSES
from api.cases.anonymise import anonymise_case
from api.cases.events import prune_live_events
from api.cases.models import Case
from api.core.clock import utcnow
from api.core.config import Settings, get_settings
from api.core.logging import configure_logging, log_event
from api.db import checkpoint_wal, get_sessionmaker, rows_changed
from api.outbox import receipts
from api.outbox.models import ChannelIdentity, InboundMessage, OfferedChoice, OutboundMessage
from api.privacy.models import CapturedContact

logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """How much one run removed; `tracker_error` is set when the tracker store could not be purged."""

    closed_cases: int = 0
    messages: int = 0
    identities: int = 0
    tracker_conversations: int = 0
    captured_numbers: int = 0
    tracker_error: str | None = None


def purge_expired(factory: sessionmaker[Session], now: datetime | None = None,
                  settings: Settings | None = None) -> PurgeReport:
    """Apply every retention limit as of `now` (a test passes its own clock)."""
    now = now or utcnow()
    settings = settings or get_settings()
    report = PurgeReport()
    conversation_cutoff = now - timedelta(days=settings.retention_bot_conversation_days)
    with factory() as session:
        report.closed_cases = _anonymise_finished_cases(session, now - timedelta(days=settings.retention_closed_case_days))
        for table in (InboundMessage, OutboundMessage):
            report.messages += rows_changed(session, delete(table).where(table.created_at < conversation_cutoff))
        with_open_case = set(session.scalars(select(Case.conversation_id).where(
            Case.status.in_(OPEN_STATUSES), Case.conversation_id.is_not(None))))
        idle = [cid for cid in session.scalars(select(ChannelIdentity.conversation_id).where(
            ChannelIdentity.last_seen_at < conversation_cutoff)) if cid not in with_open_case]
        if idle:
            session.execute(delete(ChannelIdentity).where(ChannelIdentity.conversation_id.in_(idle)))
        session.execute(delete(OfferedChoice).where(OfferedChoice.offered_at < conversation_cutoff))
        receipts.prune_expired(session, now)
        report.identities = len(idle)
        report.captured_numbers = rows_changed(session, delete(CapturedContact).where(
            CapturedContact.captured_at < now - timedelta(days=settings.retention_captured_number_days)))
        prune_live_events(session, now)
        session.commit()
        checkpoint_wal(session.get_bind())  # type: ignore[arg-type]
    try:
        stale = set(inactive_tracker_conversations(conversation_cutoff)) - with_open_case
        delete_tracker_events(stale | set(idle))
        report.tracker_conversations = len(stale | set(idle))
    except TrackerStoreUnavailable as exc:
        report.tracker_error = str(exc)
        log_event(logger, "retention_tracker_failed", logging.ERROR, error=str(exc))
    log_event(logger, "retention_applied", closed_cases=report.closed_cases, messages=report.messages,
              identities=report.identities, tracker_conversations=report.tracker_conversations,
              captured_numbers=report.captured_numbers)
    return report


def _anonymise_finished_cases(session: Session, closed_before: datetime) -> int:
    cases = session.scalars(select(Case).where(Case.status.in_(FINAL_STATUSES), Case.closed_at < closed_before))
    count = 0
    for case in list(cases):
        anonymise_case(session, case)
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """`python -m api.forgetting.retention` (`make purge`): apply the limits now; exit 1 if the tracker failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    report = purge_expired(get_sessionmaker())
    print(f"closed cases made anonymous: {report.closed_cases}; message rows: {report.messages}; "
          f"identities: {report.identities}; tracker conversations: {report.tracker_conversations}; "
          f"captured numbers: {report.captured_numbers}")
    if report.tracker_error:
        print(f"error: the tracker store could not be purged: {report.tracker_error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
