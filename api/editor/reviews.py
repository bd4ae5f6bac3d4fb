"""Who saved or reviewed which entry and when; the factual texts whose last review is too old.

A message is factual when locales/source.yml names its `source:` (the seed or public reference
its facts come from): legal and health answers. Those must be re-checked by a person at least
every `editor_review_max_age_days` (12 months unless configured); one never reviewed in the
workspace counts as due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.cases.models import Operator
from api.core.clock import as_utc, utcnow
from api.editor.catalog_entries import CatalogEntry, save_entry, text_sha256
from api.editor.models import EDITED, REVIEWED, ContentReview
from api.nlg.catalogs import CatalogSnapshot
from api.nlg.source import MessageSpec


@dataclass(frozen=True)
class LastReview:
    """The latest review of one entry."""

    reviewed_at: datetime
    reviewer: str


@dataclass(frozen=True)
class StaleEntry:
    """A factual text in one language that is due for a new review."""

    language: str
    msgid: str
    source: str
    last_review: LastReview | None


def save_and_record(session: Session, locales_dir: Path, operator: Operator, language: str, msgid: str,
                    text: str, expected_version: str, reviewed: bool, spec: MessageSpec | None) -> CatalogEntry:
    """Save the entry in its catalog and record who did it (committed once the file is written)."""
    record = ContentReview(language=language, msgid=msgid, action=REVIEWED if reviewed else EDITED,
                           operator_id=operator.id, text_sha256="", created_at=utcnow())
    session.add(record)
    session.flush()  # a database that refuses the record refuses it before the catalog changes
    try:
        saved = save_entry(locales_dir, language, msgid, text, expected_version, reviewed, spec)
    except BaseException:
        session.rollback()
        raise
    record.text_sha256 = text_sha256(saved.text)
    session.commit()
    return saved


def last_reviews(session: Session, language: str | None = None) -> dict[tuple[str, str], LastReview]:
    """(language, msgid) → its latest "reviewed" record, with the reviewer's email."""
    latest = (select(ContentReview.language, ContentReview.msgid, func.max(ContentReview.id).label("id"))
              .where(ContentReview.action == REVIEWED).group_by(ContentReview.language, ContentReview.msgid))
    if language is not None:
        latest = latest.where(ContentReview.language == language)
    latest_ids = latest.subquery()
    rows = session.execute(
        select(ContentReview.language, ContentReview.msgid, ContentReview.created_at, Operator.email)
        .join(latest_ids, latest_ids.c.id == ContentReview.id)
        .outerjoin(Operator, Operator.id == ContentReview.operator_id))
    return {(lang, msgid): LastReview(as_utc(at), email or "") for lang, msgid, at, email in rows}


def history(session: Session, language: str, msgid: str, limit: int = 10) -> list[tuple[str, datetime, str]]:
    """The latest saves of one entry: (action, when, who)."""
    rows = session.execute(
        select(ContentReview.action, ContentReview.created_at, Operator.email)
        .outerjoin(Operator, Operator.id == ContentReview.operator_id)
        .where(ContentReview.language == language, ContentReview.msgid == msgid)
        .order_by(ContentReview.id.desc()).limit(limit))
    return [(action, as_utc(at), email or "") for action, at, email in rows]


def is_factual(spec: MessageSpec | None) -> bool:
    """A legal or health answer: its facts have a named source."""
    return spec is not None and bool(spec.source)


def stale_entries(session: Session, snapshot: CatalogSnapshot, max_age_days: int, languages: tuple[str, ...],
                  now: datetime | None = None) -> list[StaleEntry]:
    """Factual texts present in a catalog whose last review is older than `max_age_days` (or never recorded)."""
    cutoff = (now or utcnow()) - timedelta(days=max_age_days)
    reviews = last_reviews(session)
    found = []
    for language in languages:
        for key, spec in snapshot.specs.items():
            if not is_factual(spec) or snapshot.entry(key, language) is None:
                continue
            last = reviews.get((language, key))
            if last is None or last.reviewed_at < cutoff:
                found.append(StaleEntry(language, key, spec.source, last))
    return found
