"""The message list (locales/source.yml): keys, translator notes, placeholders, button payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCE_FILE = "source.yml"
# Placeholders are plain names in braces; anything else in braces is not a placeholder.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class MessageSpec:
    """One message of the source list, with what a translator needs to know about it."""

    key: str
    where: str
    source: str = ""
    placeholders: dict[str, str] = field(default_factory=dict)
    buttons: tuple[str, ...] = ()
    image: str | None = None
    # An answer to a health or rights question: it carries the "Was this helpful?" buttons (api/nlg/helpful.py).
    asks_helpful: bool = False

    def button_key(self, number: int) -> str:
        """The msgid of the button title at 1-based position `number`."""
        return f"{self.key}.button.{number}"

    def translator_notes(self) -> list[str]:
        """The `#.` comments of this message in the template."""
        notes = [f"where: {self.where}"]
        notes += [f"{{{name}}}: {meaning}" for name, meaning in self.placeholders.items()]
        if self.source:
            notes.append(f"source: {self.source}")
        return notes


def button_note(spec: MessageSpec, number: int, payload: str) -> str:
    """The translator comment of a button title."""
    return f"where: button {number} of {spec.key} (sends {payload}); short, it is read on a phone"


class SourceListError(ValueError):
    """locales/source.yml cannot be read; the message says where and why."""


def spec_from_entry(key: str, entry: dict[str, Any] | None) -> MessageSpec:
    """One message of source.yml as a MessageSpec."""
    entry = entry or {}
    return MessageSpec(
        key=key,
        where=str(entry.get("where", "")).strip(),
        source=str(entry.get("source", "")).strip(),
        placeholders={str(k): str(v) for k, v in (entry.get("placeholders") or {}).items()},
        buttons=tuple(str(p) for p in entry.get("buttons") or ()),
        image=entry.get("image"),
        asks_helpful=entry.get("asks_helpful") is True,
    )


def parse_specs(text: str, origin: str = SOURCE_FILE) -> dict[str, MessageSpec]:
    """Every message of a source list, in file order."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        # Usually a value holding ": " or a quote: put the whole value in single quotes.
        raise SourceListError(f"{origin} is not valid YAML ({error}); quote values that contain ': '") from error
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if not isinstance(messages, dict):
        raise SourceListError(f"{origin} has no `messages:` mapping")
    return {str(key): spec_from_entry(str(key), entry) for key, entry in messages.items()}


def load_specs(locales_dir: Path) -> dict[str, MessageSpec]:
    """Every message of locales/source.yml, in file order."""
    path = locales_dir / SOURCE_FILE
    return parse_specs(path.read_text(encoding="utf-8"), str(path))


def all_msgids(specs: dict[str, MessageSpec]) -> list[str]:
    """Every msgid the catalogs must hold: the messages and their button titles."""
    ids: list[str] = []
    for spec in specs.values():
        ids.append(spec.key)
        ids += [spec.button_key(n) for n in range(1, len(spec.buttons) + 1)]
    return ids


def placeholders_in(text: str) -> set[str]:
    """The placeholder names used in a text."""
    return set(PLACEHOLDER.findall(text))
