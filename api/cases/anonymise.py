"""A case becomes anonymous statistics: one more in its (day, association, region, level, topic) bucket.

Used when a person erases their data and when a closed case reaches its retention limit. What is
counted is the day the case was opened, the association, the region of the town (from
data/towns.yml; "unknown" when the town is not in it or was not said), the triage level and the
topic. Everything else goes with the case row: the town itself, the times, the triage answers,
the language, the reference, the messages, notes, referrals, audit entries and live events, and the
media files (queued for deletion at Twilio). The remaining combination is too coarse to point back
to one person by itself; docs/privacy.md explains the choice.
"""

from __future__ import annotations

from datetime import timezone
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.cases.models import AuditEvent, Case, CaseMessage, CaseNote, CaseSatisfaction, LiveEvent, Referral
from api.core.config import get_settings
from api.crypto import encrypt
from api.privacy.models import CaseStatistic, MediaDeletion
from api.privacy.twilio_media import is_twilio_media

UNKNOWN_REGION = "unknown"


@lru_cache(maxsize=2)
def _regions(path: Path) -> dict[str, str]:
    try:
        towns = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("towns") or []
    except (OSError, yaml.YAMLError):
        return {}
    regions: dict[str, str] = {}
    for town in towns:
        for spelling in (town.get("name"), *(town.get("variants") or [])):
            if spelling and town.get("region"):
                regions[str(spelling).strip().lower()] = str(town["region"])
    return regions


def region_of(city: str | None) -> str:
    """The region of a town of the gazetteer, else "unknown"."""
    if not city:
        return UNKNOWN_REGION
    return _regions(get_settings().data_dir / "towns.yml").get(city.strip().lower(), UNKNOWN_REGION)


def count_in_statistics(session: Session, case: Case) -> None:
    """Add the case to its statistics bucket (one statement, safe against a concurrent erasure)."""
    created = case.created_at if case.created_at.tzinfo else case.created_at.replace(tzinfo=timezone.utc)
    values = {"day": created.astimezone(timezone.utc).date(), "association_id": case.queue.association_id,
              "region": region_of(case.city), "triage_level": case.triage_level, "topic": case.topic or "other",
              "cases": 1}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(CaseStatistic).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["day", "association_id", "region", "triage_level", "topic"],
        set_={"cases": CaseStatistic.cases + 1}))


def anonymise_case(session: Session, case: Case) -> int:
    """Count the case in the statistics, queue its media for deletion and delete it; the caller commits.

    Returns the association the case belonged to (to tell its consoles).
    """
    association_id = case.queue.association_id
    count_in_statistics(session, case)
    for url in session.scalars(select(CaseMessage.media_url).where(CaseMessage.case_id == case.id,
                                                                  CaseMessage.media_url.is_not(None))):
        if url and is_twilio_media(url):
            session.add(MediaDeletion(encrypted_url=encrypt(url)))
    # The satisfaction answer goes too: what stays is only the promised (day, region, level, topic) count.
    for table in (CaseSatisfaction, CaseMessage, CaseNote, Referral, AuditEvent, LiveEvent):
        session.execute(delete(table).where(table.case_id == case.id))
    session.delete(case)
    session.flush()
    return association_id
