"""Retention with a controlled clock: the job removes exactly what is past its limit, and nothing else."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from api.cases.intake import create_case_from_referral
from api.cases.models import Case
from api.cases.schemas import ReferralIn
from api.crypto import encrypt
from api.db import make_engine
from api.forgetting.retention import main, purge_expired
from api.outbox.models import ChannelIdentity, InboundMessage, OutboundMessage
from api.outbox.receipts import ChatReceipt
from api.privacy.models import CapturedContact, CaseStatistic
from tests.support.app_db import migrated_sqlite

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def tracker_store(path: Path, last_event_days_ago: dict[str, float]) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
                                " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
                                " action_name VARCHAR(255), data TEXT)"))
        for sender, age in last_event_days_ago.items():
            for extra in (10, 0):  # an older event, then the newest one
                connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                                        "(:s, 'user', :t, 'x')"), {"s": sender, "t": days_ago(age + extra).timestamp()})
    engine.dispose()


def tracker_senders(path: Path) -> set[str]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return senders


def case(session, conversation_id: str, created_days_ago: float, closed_days_ago: float | None) -> int:  # type: ignore[no-untyped-def]
    made, _ = create_case_from_referral(session, ReferralIn(conversation_id=conversation_id, channel="tg",
                                                            consent=True, city="Berkane"), str(uuid.uuid4()))
    made.created_at = days_ago(created_days_ago)
    if closed_days_ago is not None:
        made.status, made.outcome, made.closed_at = "resolved", "informed", days_ago(closed_days_ago)
    session.commit()
    return made.id


def test_the_retention_job_removes_what_is_due_and_only_that(tmp_path: Path) -> None:
    tracker = tmp_path / "tracker.db"
    tracker_store(tracker, {"tg-quiet": 31, "tg-recent": 29, "tg-waiting": 40})
    with migrated_sqlite(tmp_path, RASA_TRACKER_URL=f"sqlite:///{tracker}") as factory:
        with factory() as session:
            due_case = case(session, "tg-old-case", 120, 91)
            kept_case = case(session, "tg-new-case", 100, 89)
            open_case = case(session, "tg-waiting", 200, None)  # open: never removed by time
            for cid, seen in (("tg-quiet", 31), ("tg-recent", 29), ("tg-waiting", 40)):
                session.add(ChannelIdentity(conversation_id=cid, channel="tg", encrypted_address=encrypt(cid),
                                            created_at=days_ago(seen), last_seen_at=days_ago(seen)))
            for cid, age in (("tg-quiet", 31), ("tg-recent", 29.9), ("tg-recent", 30.1)):
                session.add(InboundMessage(conversation_id=cid, channel="tg", text="hi", status="pending",
                                           created_at=days_ago(age)))
                session.add(OutboundMessage(conversation_id=cid, channel="tg", payload={"text": "hello"},
                                            status="sent", created_at=days_ago(age)))
            session.add_all([CapturedContact(conversation_id="tg-quiet", encrypted_number=encrypt("+212600000001"),
                                             captured_at=days_ago(8)),
                             CapturedContact(conversation_id="tg-recent", encrypted_number=encrypt("+212600000002"),
                                             captured_at=days_ago(6))])
            # the web chat's answered-once receipts hold bot replies for ten minutes only
            session.add_all([ChatReceipt(conversation_id="web-a", client_message_id="old-turn", status="answered",
                                         replies=[{"text": "hello"}], created_at=NOW - timedelta(minutes=11)),
                             ChatReceipt(conversation_id="web-a", client_message_id="new-turn", status="answered",
                                         replies=[{"text": "hello"}], created_at=NOW - timedelta(minutes=5))])
            session.commit()

        assert purge_expired(factory, now=days_ago(2)).closed_cases == 0  # two days earlier: nothing was due yet
        report = purge_expired(factory, now=NOW)

        assert (report.closed_cases, report.identities, report.captured_numbers) == (1, 1, 1)
        assert report.tracker_error is None
        with factory() as session:
            assert session.get(Case, due_case) is None
            assert session.get(Case, kept_case) is not None and session.get(Case, open_case) is not None
            [bucket] = session.scalars(select(CaseStatistic)).all()
            assert (bucket.day, bucket.region, bucket.cases) == (days_ago(120).date(), "Oriental", 1)
            assert set(session.scalars(select(ChannelIdentity.conversation_id))) == {"tg-recent", "tg-waiting"}
            ages = sorted(round((NOW - r.created_at.replace(tzinfo=timezone.utc)).days)
                          for r in session.scalars(select(InboundMessage)))
            assert ages == [29]
            assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1
            assert set(session.scalars(select(CapturedContact.conversation_id))) == {"tg-recent"}
            assert set(session.scalars(select(ChatReceipt.client_message_id))) == {"new-turn"}
        assert tracker_senders(tracker) == {"tg-recent", "tg-waiting"}

        again = purge_expired(factory, now=NOW)
        assert (again.closed_cases, again.messages, again.identities, again.captured_numbers) == (0, 0, 0, 0)


def test_make_purge_says_what_it_removed_and_fails_when_the_tracker_store_cannot_be_reached(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with migrated_sqlite(tmp_path, RASA_TRACKER_URL=f"sqlite:///{tmp_path / 'missing.db'}"):
        assert main([]) == 1
    out = capsys.readouterr().out
    assert "closed cases made anonymous: 0" in out and "tracker store could not be purged" in out
