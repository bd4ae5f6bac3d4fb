"""The outboxes' retry schedule: the first delay, doubling after each failure, capped."""

from __future__ import annotations

from api.core.backoff import delay_after, exponential
from api.outbox.delivery import RETRY as OUTBOUND_RETRY
from api.privacy.twilio_media import RETRY as MEDIA_RETRY


def test_the_delay_doubles_from_the_first_up_to_the_cap() -> None:
    schedule = exponential(5, 60)
    assert [delay_after(schedule, n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert delay_after(schedule, 10_000) == 60  # no overflow however long the outage


def test_the_outbound_and_media_schedules_keep_their_numbers() -> None:
    assert [delay_after(OUTBOUND_RETRY, n) for n in (1, 2, 3, 8, 9, 50)] == [2, 4, 8, 256, 300, 300]
    assert [delay_after(MEDIA_RETRY, n) for n in (1, 2, 3)] == [60, 120, 240]
    assert delay_after(MEDIA_RETRY, 40) == 6 * 3600
