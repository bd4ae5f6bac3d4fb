"""Whether a message has a recorded clip in a language, and its URL: the one place renderers and reports ask.

Rendering runs on every turn and sometimes inside a database transaction (an operator's claim sends a
notice in the person's language), so a lookup never touches the database: it reads an in-memory index
(message id and language to URL). The process that saves or deletes a clip rebuilds the index in the same
session at once; every other process rebuilds it in a background thread when it is older than
`AUDIO_INDEX_SECONDS`, so a clip uploaded through another API worker is sent within about that delay.
A database failure keeps the previous index: the answer goes as text, never without an answer.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.audio.models import AudioClip, public_url
from api.core.config import get_settings
from api.core.logging import log_event

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_index: dict[tuple[str, str], str] = {}
_loaded_at: float | None = None
_generation = 0          # bumped by forget_index: a reload started before it is not kept
_reloading = False


def forget_index() -> None:
    """Drop the index (tests, and a process whose database changed); the next lookup reloads it."""
    global _index, _loaded_at, _generation
    with _lock:
        _index, _loaded_at, _generation = {}, None, _generation + 1


def rebuild_index(session: Session) -> None:
    """Read every clip through `session` (the saver's own, or the reload thread's)."""
    global _index, _loaded_at
    settings = get_settings()
    with _lock:
        generation = _generation
    index = {(clip.msgid, clip.language): public_url(settings, clip)
             for clip in session.scalars(select(AudioClip)).all()}
    with _lock:
        if generation == _generation:
            _index, _loaded_at = index, time.monotonic()


def load_index_now() -> None:
    """Rebuild the index with a connection of its own (outside any transaction: reports, start-up)."""
    global _loaded_at
    from api.db import get_sessionmaker

    try:
        with get_sessionmaker()() as session:
            rebuild_index(session)
    except SQLAlchemyError as error:
        log_event(logger, "audio_lookup_failed", level=logging.WARNING, error=type(error).__name__)
        with _lock:
            _loaded_at = time.monotonic()  # retry after the delay, not on every message


def _reload_in_background() -> None:
    global _reloading
    try:
        load_index_now()
    finally:
        with _lock:
            _reloading = False


def _current_index() -> dict[tuple[str, str], str]:
    global _reloading
    with _lock:
        stale = _loaded_at is None or time.monotonic() - _loaded_at >= get_settings().audio_index_seconds
        if stale and not _reloading:
            _reloading = True
            threading.Thread(target=_reload_in_background, name="audio-index", daemon=True).start()
        return _index


def clips_per_language(session: Session) -> dict[str, int]:
    """How many messages have a recording, per language (read now through `session`: editors' pages)."""
    rebuild_index(session)
    with _lock:
        counts: dict[str, int] = {}
        for _msgid, language in _index:
            counts[language] = counts.get(language, 0) + 1
    return counts


def audio_url(msgid: str, language: str) -> str | None:
    """The public URL of the editors' clip of `msgid` in `language`, or None.

    Only the person's own language counts: a French clip is not sent to a Wolof reader.
    """
    return _current_index().get((msgid, language))


def audio_available(msgid: str, lang: str) -> bool:
    """Whether a person reading `lang` receives `msgid` also as a recording."""
    return audio_url(msgid, lang) is not None
