"""Channels and the prefix of a conversation id that names one (`tg-3f9a…` is a Telegram conversation)."""

from __future__ import annotations

TELEGRAM = "tg"
WHATSAPP = "wa"
VOICE = "voice"
WEB = "web"
CHANNELS: tuple[str, ...] = (TELEGRAM, WHATSAPP, VOICE, WEB)


def channel_of(conversation_id: str) -> str:
    """The channel prefix of a conversation id (`tg-abc` → `tg`); the whole id when it has no prefix."""
    return conversation_id.split("-", 1)[0]
