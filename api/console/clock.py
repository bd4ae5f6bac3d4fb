"""One clock for the console: a stored UTC time shown in the operator's zone, inside `<time datetime>`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from api.core.clock import as_utc, utcnow

# Offered by the console's time-zone picker besides the service's own zone: where the association's operators
# and volunteers work from. The operator's current zone and the browser's are added to the list when missing.
TIME_ZONE_CHOICES: tuple[str, ...] = ("Africa/Casablanca", "Africa/Dakar", "Africa/Abidjan", "Africa/Algiers",
                                      "Africa/Tunis", "Europe/Madrid", "Europe/Paris", "Europe/Brussels",
                                      "Europe/London", "UTC")


def time_zone_choices(current: str | None) -> list[str]:
    """The picker's zones: the usual ones, and the operator's own if it is another."""
    return [*TIME_ZONE_CHOICES, *([current] if current and current not in TIME_ZONE_CHOICES else [])]


def in_zone(value: datetime, zone: str) -> datetime:
    """`value` (UTC) in the IANA `zone`, or in UTC when the zone is unknown."""
    try:
        return as_utc(value).astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return as_utc(value)


@pass_context
def clock(context: Context, value: datetime | None, fmt: str = "%H:%M") -> Markup:
    """Template filter: `{{ m.created_at|clock }}` → `<time datetime="…Z">14:05</time>` in the page's zone.

    The page script rewrites live times the same way (console.js `timeElement`), so both agree.
    """
    if value is None:
        return Markup("")
    utc = as_utc(value)
    local = in_zone(utc, str(context.get("time_zone") or "UTC"))
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), escape(local.strftime(fmt)))


def utc_offset_minutes(zone: str, at: datetime | None = None) -> int:
    """The zone's offset from UTC now, in minutes (the page script shifts live times by it).

    Browsers carry their own time-zone tables, which can disagree with the server's (Chromium's
    says Morocco is on UTC+0 in winter; it has been UTC+1 outside Ramadan since 2018): the script
    uses the server's offset so that both clocks agree.
    """
    offset = in_zone(at or utcnow(), zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0
