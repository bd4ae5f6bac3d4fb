"""Service levels: the target waiting time of each triage level, and whether a waiting case is past it.

Targets come from the settings (SLA_EMERGENCY_MINUTES=2, SLA_VIOLENCE_MINUTES=10,
SLA_VULNERABLE_MINUTES=30, SLA_OTHER_MINUTES=240 by default). Only a case still waiting for an
operator (`queued`) can breach: once someone holds it, it has been answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from api.cases.triage import EMERGENCY, OTHER, VIOLENCE, VULNERABLE
from api.core.clock import as_utc
from api.core.codes import CaseStatus
from api.core.config import Settings


def sla_targets(settings: Settings) -> dict[str, int]:
    """Minutes a case of each level may wait before it breaches its service level."""
    return {EMERGENCY: settings.sla_emergency_minutes, VIOLENCE: settings.sla_violence_minutes,
            VULNERABLE: settings.sla_vulnerable_minutes, OTHER: settings.sla_other_minutes}


def sla_deadline(created_at: datetime, level: str, targets: dict[str, int]) -> datetime:
    """When a case created at `created_at` breaches (an unknown level gets the `other` target)."""
    return as_utc(created_at) + timedelta(minutes=targets.get(level, targets[OTHER]))


def is_breached(status: str, created_at: datetime, level: str, targets: dict[str, int], now: datetime) -> bool:
    """A waiting case past its level's target."""
    return status == CaseStatus.QUEUED and now > sla_deadline(created_at, level, targets)
