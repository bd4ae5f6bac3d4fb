"""Channel-neutral message shapes exchanged between gateways, Rasa and the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# One quick-reply shape for the renderer and every channel: its title and the Rasa payload it sends.
from api.nlg.render import Button

__all__ = ["BotReply", "Button", "IncomingMessage", "OutgoingMessage", "audio_of", "with_recordings_attached"]


def audio_of(data: dict[str, Any]) -> str | None:
    """The clip URL of a reply: our own `audio` key, or the `attachment` the NLG endpoint gave Rasa."""
    audio = data.get("audio")
    if isinstance(audio, str):
        return audio
    attachment = data.get("attachment")
    if isinstance(attachment, dict) and attachment.get("type") == "audio":
        source = (attachment.get("payload") or {}).get("src")
        return source if isinstance(source, str) else None
    return None


@dataclass(frozen=True)
class BotReply:
    """One message for the person (text, buttons, optional image URL, optional recording URL)."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    audio: str | None = None

    @classmethod
    def from_rasa(cls, data: dict[str, Any]) -> "BotReply":
        """Build from one item of Rasa's REST channel output."""
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in (data.get("buttons") or [])
        )
        return cls(text=data.get("text") or "", buttons=buttons, image=data.get("image"), audio=audio_of(data))

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by the outbox and the web chat (`audio` only when there is one)."""
        data = {"text": self.text, "buttons": [asdict(b) for b in self.buttons], "image": self.image}
        if self.audio:
            data["audio"] = self.audio
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BotReply":
        """Inverse of `to_dict`."""
        return cls.from_rasa(data)


def with_recordings_attached(replies: list[BotReply]) -> list[BotReply]:
    """Rasa's REST channel sends a response's attachment as an item of its own, after its text: put
    each recording back on the message it reads out, so every channel sends the two together."""
    merged: list[BotReply] = []
    for reply in replies:
        audio_only = reply.audio and not reply.text and not reply.buttons and not reply.image
        if audio_only and merged and merged[-1].audio is None:
            merged[-1] = replace(merged[-1], audio=reply.audio)
        else:
            merged.append(reply)
    return merged


# Outgoing messages (operator replies, notices) have the same shape as bot replies.
OutgoingMessage = BotReply


@dataclass(frozen=True)
class IncomingMessage:
    """A person's message as a gateway received it; `user_key` is the raw channel id (never logged)."""

    channel: str
    user_key: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    media_url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
