"""Whether a message has a recorded clip in a language, and its URL: the one place renderers and reports ask."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from api.core.config import get_settings
from api.core.logging import log_event

logger = logging.getLogger(__name__)


def audio_url(msgid: str, language: str) -> str | None:
    """The public URL of the editors' clip of `msgid` in `language`, or None.

    Only the person's own language counts: a French clip is not sent to a Wolof reader. A database
    failure leaves the answer as text (logged), never without an answer.
    """
    from api.audio.clips import find_clip, public_url
    from api.db import get_sessionmaker

    settings = get_settings()
    try:
        with get_sessionmaker()() as session:
            clip = find_clip(session, msgid, language)
            return public_url(settings, clip) if clip is not None else None
    except SQLAlchemyError as error:
        log_event(logger, "audio_lookup_failed", level=logging.WARNING, error=type(error).__name__)
        return None


def audio_available(msgid: str, lang: str) -> bool:
    """Whether a person reading `lang` receives `msgid` also as a recording."""
    return audio_url(msgid, lang) is not None
