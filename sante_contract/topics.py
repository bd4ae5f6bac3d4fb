"""The topics a referral can carry: the intent the person's need was read from, else `other`.

The action server sets them (actions/escalation.py); the console shows them translated.
"""

from __future__ import annotations

REFERRAL_TOPICS: tuple[str, ...] = (
    "rights_free_care", "rights_undocumented", "rights_hospital_billing", "health_coverage", "care_refused",
    "covid_prevention", "covid_symptoms", "covid_vaccine", "pregnancy_care", "family_planning",
    "child_vaccination", "hiv_sti", "tuberculosis", "mental_health", "violence_support", "emergency", "other",
)
