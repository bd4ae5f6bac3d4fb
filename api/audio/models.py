"""The audio clips table: which message and language a recording belongs to, and where its file is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.clock import UTCDateTime, utcnow
from api.core.config import Settings
from api.db import Base

PUBLIC_PATH = "/audio"
EXTENSION = ".mp3"


class AudioClip(Base):
    """An editor's recording of one message in one language (content, not personal data).

    `token` is the unguessable part of the clip's public URL (Twilio and Telegram fetch it without
    credentials); a new upload gets a new token, so channel caches never serve the old recording.
    """

    __tablename__ = "audio_clip"
    __table_args__ = (UniqueConstraint("msgid", "language", name="uq_audio_clip_msgid_language"),
                      UniqueConstraint("token", name="uq_audio_clip_token"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    msgid: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(32))
    source_type: Mapped[str] = mapped_column(String(32))
    duration_seconds: Mapped[float] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def public_url(settings: Settings, clip: AudioClip) -> str:
    """The unguessable URL channels fetch the clip from (Twilio and Telegram need it public)."""
    return f"{settings.public_base_url.rstrip('/')}{PUBLIC_PATH}/{clip.token}{EXTENSION}"
