"""Storing, finding and deleting the clips: the file under AUDIO_DIR, its row in `audio_clip`."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Collection
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audio.encoding import AudioRejected, encode_clip
from api.audio.index import rebuild_index
from api.audio.models import EXTENSION, AudioClip
from api.core.clock import utcnow
from api.core.config import Settings
from api.core.languages import SUPPORTED_LANGUAGES


class UnknownMessage(LookupError):
    """No such message id in locales/source.yml, or no such language."""


def clip_path(settings: Settings, clip: AudioClip) -> Path:
    """Where the clip's file is (its name is the random token, never anything a user typed)."""
    return settings.audio_dir / clip.file_name


def check_message(msgid: str, language: str, known_msgids: Collection[str]) -> None:
    """Refuse a message id that is not among `known_msgids` (those of locales/source.yml), or an unsupported language."""
    if language not in SUPPORTED_LANGUAGES:
        raise UnknownMessage("language")
    if msgid not in known_msgids:
        raise UnknownMessage("msgid")


def find_clip(session: Session, msgid: str, language: str) -> AudioClip | None:
    """The clip of a message in a language, if an editor recorded one."""
    return session.scalars(select(AudioClip).where(AudioClip.msgid == msgid, AudioClip.language == language)).first()


def clip_by_token(session: Session, token: str) -> AudioClip | None:
    """The clip a public URL names."""
    return session.scalars(select(AudioClip).where(AudioClip.token == token)).first()


def list_clips(session: Session) -> list[AudioClip]:
    """Every clip, by message then language (for editors only)."""
    return list(session.scalars(select(AudioClip).order_by(AudioClip.msgid, AudioClip.language)))


def _write_file(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{name}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)  # readers never see half a file


def save_clip(session: Session, settings: Settings, msgid: str, language: str, data: bytes,
              uploaded_by: int | None, known_msgids: Collection[str]) -> AudioClip:
    """Check and store a recording for (msgid, language), replacing the previous one (committed)."""
    check_message(msgid, language, known_msgids)
    if len(data) > settings.audio_max_bytes:
        raise AudioRejected("audio.error_too_big", max_megabytes=round(settings.audio_max_bytes / 1048576, 1))
    encoded = encode_clip(data, settings.audio_max_seconds)
    token = secrets.token_urlsafe(24)
    file_name = f"{token}{EXTENSION}"
    _write_file(settings.audio_dir, file_name, encoded.data)
    clip = find_clip(session, msgid, language)
    old_file = clip.file_name if clip is not None else None
    if clip is None:
        clip = AudioClip(msgid=msgid, language=language)
        session.add(clip)
    clip.token, clip.file_name = token, file_name
    clip.content_type, clip.source_type = encoded.content_type, encoded.source_type
    clip.duration_seconds, clip.size_bytes = encoded.duration_seconds, len(encoded.data)
    clip.uploaded_by, clip.uploaded_at = uploaded_by, utcnow()
    try:
        session.commit()
    except Exception:
        session.rollback()
        with contextlib.suppress(FileNotFoundError):
            (settings.audio_dir / file_name).unlink()
        raise
    rebuild_index(session)
    if old_file:
        with contextlib.suppress(FileNotFoundError):
            (settings.audio_dir / old_file).unlink()
    return clip


def delete_clip(session: Session, settings: Settings, msgid: str, language: str) -> bool:
    """Remove the clip of (msgid, language): the text alone is sent again (committed)."""
    clip = find_clip(session, msgid, language)
    if clip is None:
        return False
    path = clip_path(settings, clip)
    session.delete(clip)
    session.commit()
    rebuild_index(session)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return True
