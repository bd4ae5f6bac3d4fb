"""Console labels the queue and supervisor-board scripts need (texts from the `console` catalog)."""

from __future__ import annotations

QUEUE_SCRIPT_KEYS: tuple[str, ...] = (
    "past target", "cases shown", "capacity_reached", "colleague_at_capacity", "No case is past its target.", "Return",
    "no limit", "Waiting by level", "Waiting by language", "Past target by level",
    "active", "deactivated", "Edit", "Deactivate", "Reactivate", "Saved", "Account created", "Password reset",
    "yes", "no",
)
