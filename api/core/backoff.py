"""The one retry schedule of the app side: tenacity's exponential wait, read for a persisted attempt count.

The outboxes keep their retries in the database (`attempts`, `next_attempt_at`) so a restart loses none;
tenacity's wait strategies give the delay, evaluated here for the number of failures so far.
"""

from __future__ import annotations

from tenacity import RetryCallState
from tenacity.wait import wait_base, wait_exponential


def exponential(first_s: float, max_s: float) -> wait_base:
    """`first_s` after the first failure, doubling after each next one, never more than `max_s`."""
    return wait_exponential(multiplier=first_s, max=max_s)


def delay_after(strategy: wait_base, failures: int) -> float:
    """Seconds to wait after `failures` failed attempts (1 for the first failure)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(failures, 1)
    return float(strategy(state))
