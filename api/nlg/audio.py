"""Whether a message has a recorded clip in a language, and its URL: the one place renderers and reports ask.

Rendering runs on every turn and sometimes inside a database transaction (an operator's claim sends a
notice), so it never opens a connection of its own per message: it reads an in-memory index of the clips
(message id and language to URL), reloaded when this process saves or deletes a clip and otherwise at
most every `AUDIO_INDEX_SECONDS`, so a clip uploaded through another API worker is sent within that delay.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from api.core.config import get_settings
from api.core.logging import log_event

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_index: dict[tuple[str, str], str] = {}
_loaded_at: float | None = None


def forget_index() -> None:
    """Make the next lookup reload the clips (after a save or a delete, and in tests)."""
    global _loaded_at
    with _lock:
        _loaded_at = None


def _current_index() -> dict[tuple[str, str], str]:
    global _index, _loaded_at
    settings = get_settings()
    with _lock:
        fresh = _loaded_at is not None and time.monotonic() - _loaded_at < settings.audio_index_seconds
        if fresh:
            return _index
        from api.audio.clips import public_url
        from api.audio.models import AudioClip
        from api.db import get_sessionmaker

        try:
            with get_sessionmaker()() as session:
                clips = session.scalars(select(AudioClip)).all()
                _index = {(clip.msgid, clip.language): public_url(settings, clip) for clip in clips}
        except SQLAlchemyError as error:  # text alone, never no answer; the previous index stays
            log_event(logger, "audio_lookup_failed", level=logging.WARNING, error=type(error).__name__)
        _loaded_at = time.monotonic()
        return _index


def audio_url(msgid: str, language: str) -> str | None:
    """The public URL of the editors' clip of `msgid` in `language`, or None.

    Only the person's own language counts: a French clip is not sent to a Wolof reader.
    """
    return _current_index().get((msgid, language))


def audio_available(msgid: str, lang: str) -> bool:
    """Whether a person reading `lang` receives `msgid` also as a recording."""
    return audio_url(msgid, lang) is not None
