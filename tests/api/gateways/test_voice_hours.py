"""Opening hours of the phone hotline: parsed from settings, unknown when unset."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from api.gateways.voice_hours import hotline_open, parse_hours

TZ = "Africa/Casablanca"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time in the week of Monday 2026-11-23 (Morocco is UTC+1)."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=timezone.utc)


def test_unset_hours_are_unknown_not_closed() -> None:
    assert hotline_open("", TZ, at(0, 10)) is None


@pytest.mark.parametrize(("moment", "expected"), [
    (at(0, 8, 0), True),     # Monday 09:00 local: opens
    (at(0, 7, 59), False),   # Monday 08:59 local
    (at(4, 15, 59), True),   # Friday 16:59 local
    (at(4, 16, 0), False),   # Friday 17:00 local: closed
    (at(5, 10), True),       # Saturday 11:00 local
    (at(5, 12), False),      # Saturday 13:00 local
    (at(6, 10), False),      # Sunday
])
def test_the_hotline_is_open_inside_its_windows_in_local_time(moment, expected) -> None:
    assert hotline_open("mon-fri 09:00-17:00; sat 09:00-13:00", TZ, moment) is expected


def test_a_day_range_may_wrap_around_the_week() -> None:
    [window] = parse_hours("sat-mon 10:00-12:00")
    assert window.weekdays == {5, 6, 0}


@pytest.mark.parametrize("spec", ["weekdays 09:00-17:00", "mon-fri 9h-17h", "mon-fri"])
def test_malformed_hours_are_rejected_with_an_example(spec) -> None:
    with pytest.raises(ValueError, match="e.g."):
        parse_hours(spec)
