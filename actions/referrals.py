"""The referral backend's client: builds the referral body and POSTs it with its idempotency key."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from actions.config import ActionSettings
from actions.http_client import backend_client
from sante_contract import REFERENCE_ALPHABET, REFERENCE_LENGTH, REFERENCE_PREFIX

logger = logging.getLogger(__name__)

# Retrying these cannot succeed until someone fixes the request or the configuration.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 422})


def reference_for_key(idempotency_key: str) -> str:
    """The public reference of an escalation, derived from its idempotency key.

    Deriving it lets the bot tell the person their reference even while the backend is down:
    the queued referral carries it and the backend keeps it, so both sides agree.
    """
    number = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    chars = []
    for _ in range(REFERENCE_LENGTH):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return REFERENCE_PREFIX + "".join(chars)


@dataclass(frozen=True)
class DeliveryResult:
    """What one POST attempt gave: the case reference when the backend took it."""

    delivered: bool
    reference: str | None = None
    status: int | None = None
    error: str | None = None
    # Whether an operator on duty speaks the person's language; None when the backend did not say.
    language_spoken_on_duty: bool | None = None

    @property
    def permanent_failure(self) -> bool:
        """The backend refused the request itself (retrying keeps failing until fixed)."""
        return self.status in PERMANENT_STATUSES


async def post_referral(settings: ActionSettings, body: dict[str, Any], idempotency_key: str,
                        client: httpx.AsyncClient | None = None) -> DeliveryResult:
    """POST the referral once; never raises for network or server errors, reports them instead."""
    url = f"{settings.api_url}/api/v1/referrals"
    headers = {"Authorization": f"Bearer {settings.service_token}", "Idempotency-Key": idempotency_key}
    http = client or backend_client()
    try:
        response = await http.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        return DeliveryResult(delivered=False, error=type(exc).__name__)
    if response.status_code in (200, 201):
        try:
            reference = str(response.json()["reference"])
        except (ValueError, KeyError, TypeError):
            return DeliveryResult(delivered=False, status=response.status_code, error="bad_response_body")
        spoken = response.json().get("language_spoken_on_duty")
        return DeliveryResult(delivered=True, reference=reference, status=response.status_code,
                              language_spoken_on_duty=spoken if isinstance(spoken, bool) else None)
    return DeliveryResult(delivered=False, status=response.status_code, error=f"http_{response.status_code}")
