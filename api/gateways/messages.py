"""Channel-neutral message shapes exchanged between gateways, Rasa and the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """A quick reply: what the person sees and the Rasa payload it sends."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """One message for the person (text, buttons, optional image URL)."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None

    @classmethod
    def from_rasa(cls, data: dict[str, Any]) -> "BotReply":
        """Build from one item of Rasa's REST channel output."""
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in (data.get("buttons") or [])
        )
        return cls(text=data.get("text") or "", buttons=buttons, image=data.get("image"))

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by the outbox and the web chat."""
        return {"text": self.text, "buttons": [asdict(b) for b in self.buttons], "image": self.image}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BotReply":
        """Inverse of `to_dict`."""
        return cls.from_rasa(data)


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
