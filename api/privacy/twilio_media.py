"""Voice recordings and WhatsApp media are deleted at Twilio through its REST API, not only unlinked here.

An erased or expired case queues the Twilio URLs of its media (`MediaDeletion`, encrypted); the
API's worker deletes them, retrying with backoff while Twilio cannot be reached. Telegram keeps
no file we could delete: the file id is simply dropped with the case.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from api.core.backoff import delay_after, exponential
from api.core.clock import utcnow
from api.core.config import get_settings
from api.core.logging import log_event
from api.crypto import decrypt
from api.privacy.models import MediaDeletion

logger = logging.getLogger(__name__)

# https://api.twilio.com/2010-04-01/Accounts/AC…/Recordings/RE…  and  …/Messages/MM…/Media/ME…
RECORDING = re.compile(r"/Accounts/(AC\w+)/Recordings/(RE\w+?)(?:\.\w+)?$")
MESSAGE_MEDIA = re.compile(r"/Accounts/(AC\w+)/Messages/(MM\w+)/Media/(ME\w+?)(?:\.\w+)?$")
MAX_BACKOFF = timedelta(hours=6)
# 1 min after the first failure, doubling, at most MAX_BACKOFF.
RETRY = exponential(60, MAX_BACKOFF.total_seconds())

_quiet_http_logger = logging.getLogger(f"{__name__}.twilio_http")
_quiet_http_logger.setLevel(logging.WARNING)


@dataclass(frozen=True)
class TwilioMedia:
    """The resource behind a Twilio media URL."""

    account_sid: str
    recording_sid: str | None = None
    message_sid: str | None = None
    media_sid: str | None = None


def parse_twilio_media(url: str) -> TwilioMedia | None:
    """The recording or message media a URL points at, None for anything else."""
    path = url.split("?", 1)[0]
    if match := RECORDING.search(path):
        return TwilioMedia(account_sid=match.group(1), recording_sid=match.group(2))
    if match := MESSAGE_MEDIA.search(path):
        return TwilioMedia(account_sid=match.group(1), message_sid=match.group(2), media_sid=match.group(3))
    return None


def is_twilio_media(url: str) -> bool:
    """Whether the URL is a Twilio recording or message media we can delete."""
    return parse_twilio_media(url) is not None


async def fetch_twilio_media(url: str) -> tuple[bytes, str]:
    """The bytes and content type of a recording or message media of our account (Twilio answers its media
    URLs only with the account's credentials, then redirects to the file). Raises NotFound when gone."""
    from api.core.errors import NotFound
    from api.core.http_client import http_client

    settings = get_settings()
    media = parse_twilio_media(url)
    if media is None or media.account_sid != settings.twilio_account_sid or not settings.twilio_auth_token:
        raise NotFound("media_not_found", "This attachment is not one of this deployment's Twilio account.")
    try:
        response = await http_client().get(url, auth=(settings.twilio_account_sid, settings.twilio_auth_token),
                                           follow_redirects=True, timeout=15)
    except httpx.HTTPError as exc:
        log_event(logger, "twilio_media_fetch_failed", level=logging.WARNING, error=type(exc).__name__)
        raise NotFound("media_not_found", "Twilio could not be reached for this attachment.") from exc
    if response.status_code != 200:
        log_event(logger, "twilio_media_fetch_failed", level=logging.WARNING, status=response.status_code)
        raise NotFound("media_not_found", "Twilio no longer has this attachment.")
    return response.content, response.headers.get("content-type", "application/octet-stream").split(";")[0]


async def delete_at_twilio(media: TwilioMedia) -> None:
    """DELETE the resource with our account's credentials; already gone (404) counts as deleted."""
    settings = get_settings()
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to delete media at Twilio")
    async with AsyncTwilioHttpClient(timeout=15, logger=_quiet_http_logger) as http_client:
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
        if settings.twilio_api_base:
            client.api.base_url = settings.twilio_api_base.rstrip("/")
        account = client.api.v2010.accounts(media.account_sid)
        try:
            if media.recording_sid:
                await account.recordings(media.recording_sid).delete_async()
            else:
                await account.messages(media.message_sid).media(media.media_sid).delete_async()
        except TwilioRestException as exc:
            if exc.status != 404:
                raise


async def delete_pending_media(factory: sessionmaker[Session], limit: int = 20) -> int:
    """Delete due media at Twilio; returns how many are gone. Failures are retried later."""
    deleted = 0
    with factory() as session:
        rows = session.scalars(select(MediaDeletion).where(MediaDeletion.next_attempt_at <= utcnow())
                               .order_by(MediaDeletion.id).limit(limit)).all()
        for row in rows:
            media = parse_twilio_media(decrypt(row.encrypted_url))
            try:
                if media is not None:
                    await delete_at_twilio(media)
            except Exception as exc:  # network, credentials, Twilio 5xx: keep the URL and try again later
                row.attempts += 1
                row.last_error = type(exc).__name__[:200]
                row.next_attempt_at = utcnow() + timedelta(seconds=delay_after(RETRY, row.attempts))
                session.commit()
                log_event(logger, "twilio_media_delete_failed", logging.WARNING, attempts=row.attempts,
                          error=type(exc).__name__)
                continue
            session.delete(row)
            session.commit()
            deleted += 1
    if deleted:
        log_event(logger, "twilio_media_deleted", count=deleted)
    return deleted
