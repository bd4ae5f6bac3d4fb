"""Twilio webhook authentication: only requests Twilio signed with our auth token get through."""

from __future__ import annotations

import logging

from fastapi import Request
from twilio.request_validator import RequestValidator

from api.core.config import get_settings
from api.core.errors import Forbidden
from api.core.logging import log_event

logger = logging.getLogger(__name__)


def public_url_of(request: Request) -> str:
    """The URL Twilio called, as it signed it: our public base URL, the path and the query string.

    Behind a proxy the request's own host is not what Twilio saw, so the configured
    public base URL is the only trustworthy origin.
    """
    url = get_settings().public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def verified_twilio_form(request: Request) -> dict[str, str]:
    """FastAPI dependency: the webhook's form fields, or 403 before anything is stored or forwarded."""
    settings = get_settings()
    form = await request.form()
    params = {key: str(value) for key, value in form.multi_items()}
    signature = request.headers.get("X-Twilio-Signature", "")
    valid = bool(settings.twilio_auth_token and signature) and RequestValidator(
        settings.twilio_auth_token).validate(public_url_of(request), params, signature)
    if not valid:
        log_event(logger, "twilio_signature_rejected", logging.WARNING, path=request.url.path,
                  signed=bool(signature))
        raise Forbidden("invalid_twilio_signature", "The request is not signed by Twilio with this account.")
    return params
