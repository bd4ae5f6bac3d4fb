"""The phone hotline's opening hours: parsed from settings, never assumed when unset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpeningWindow:
    """Some weekdays (0 = Monday) from `start` to `end`, local time."""

    weekdays: frozenset[int]
    start: time
    end: time


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {text!r}: use {', '.join(DAYS)} (e.g. mon-fri)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def parse_hours(spec: str) -> list[OpeningWindow]:
    """Parse `"mon-fri 09:00-17:00; sat 09:00-13:00"`; an empty spec means the hours are unknown."""
    windows = []
    for chunk in filter(None, (c.strip().lower() for c in spec.split(";"))):
        try:
            days, span = chunk.split()
            start, end = (time.fromisoformat(t) for t in span.split("-"))
        except ValueError as exc:
            raise ValueError(f"hotline hours {chunk!r}: write e.g. 'mon-fri 09:00-17:00'") from exc
        windows.append(OpeningWindow(_days(days), start, end))
    return windows


def hotline_open(spec: str, timezone: str, now: datetime) -> bool | None:
    """Whether the hotline answers at `now` (aware datetime); None when its hours are not configured."""
    windows = parse_hours(spec)
    if not windows:
        return None
    local = now.astimezone(ZoneInfo(timezone))
    return any(local.weekday() in w.weekdays and w.start <= local.time() < w.end for w in windows)
