"""The workspace's views of the catalogs: coverage per language as a chart, the message list and its filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.core.languages import DEFAULT_LANGUAGE
from api.editor.reviews import LastReview, is_factual
from api.nlg.catalogs import CatalogSnapshot
from api.nlg.check import Coverage, coverage
from api.nlg.render import served_text
from api.nlg.source import all_msgids

FILTERS: tuple[str, ...] = ("all", "missing", "draft", "stale")
STATUSES: tuple[str, ...] = ("reviewed", "draft", "missing")
# The chart: one bar per language, this wide at 100 %, this tall, this far apart (SVG user units).
BAR_WIDTH, BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 480, 18, 8, 56


@dataclass(frozen=True)
class MessageRow:
    """One msgid in one language, as the list shows it."""

    msgid: str
    status: str
    falls_back: bool
    stale: bool
    source_text: str
    text: str
    last_review: LastReview | None


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar."""

    status: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    """One language's bar: reviewed, draft and missing side by side; falling back as a figure beside it."""

    language: str
    y: float
    total: int
    segments: tuple[Segment, ...]
    falling_back: int


def status_of(snapshot: CatalogSnapshot, msgid: str, language: str) -> str:
    """reviewed, draft (fuzzy) or missing."""
    entry = snapshot.entry(msgid, language)
    if entry is None:
        return "missing"
    return "draft" if entry.fuzzy else "reviewed"


def coverage_bars(rows: list[Coverage]) -> list[Bar]:
    """The chart's geometry, computed once here so the template only draws."""
    bars = []
    for index, row in enumerate(rows):
        total = row.reviewed + row.fuzzy + row.missing
        x = float(LABEL_WIDTH)
        segments = []
        for status, count in zip(STATUSES, (row.reviewed, row.fuzzy, row.missing), strict=True):
            width = BAR_WIDTH * count / total if total else 0.0
            segments.append(Segment(status, count, round(x, 2), round(width, 2)))
            x += width
        bars.append(Bar(row.language, index * (BAR_HEIGHT + BAR_GAP), total, tuple(segments),
                        row.served_from_fallback))
    return bars


def chart_height(bars: list[Bar]) -> int:
    return len(bars) * (BAR_HEIGHT + BAR_GAP)


def language_coverage(snapshot: CatalogSnapshot) -> list[Coverage]:
    """Counts per language over every msgid (the same figures as `make locales-check`)."""
    return coverage(snapshot)


def message_rows(snapshot: CatalogSnapshot, language: str, wanted: str, reviews: dict[tuple[str, str], LastReview],
                 max_age_days: int, now: datetime) -> list[MessageRow]:
    """Every msgid of `language` that passes the filter, in source.yml order."""
    cutoff = now - timedelta(days=max_age_days)
    rows = []
    for msgid in all_msgids(snapshot.specs):
        status = status_of(snapshot, msgid, language)
        last = reviews.get((language, msgid))
        stale = (is_factual(snapshot.specs.get(msgid)) and status != "missing"
                 and (last is None or last.reviewed_at < cutoff))
        if (wanted == "missing" and status != "missing") or (wanted == "draft" and status != "draft") \
                or (wanted == "stale" and not stale):
            continue
        resolved = served_text(snapshot, msgid, language)
        source = snapshot.entry(msgid, DEFAULT_LANGUAGE)
        entry = snapshot.entry(msgid, language)
        rows.append(MessageRow(msgid=msgid, status=status,
                               falls_back=resolved is None or resolved.language != language, stale=stale,
                               source_text=source.text if source else "", text=entry.text if entry else "",
                               last_review=last))
    return rows
