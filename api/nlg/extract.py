"""Babel extractor for locales/source.yml: one message per key and per button title, with its notes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from api.nlg.source import button_note, parse_specs


def _line_numbers(text: str) -> dict[str, int]:
    """The line where each message key is declared (for `pybabel extract` locations)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if line.startswith("  ") and not line.startswith("   ") and stripped.endswith(":"):
            lines[stripped[:-1]] = number
    return lines


def extract_source(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                   options: dict[str, Any]) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, function, msgid, translator comments) as Babel expects from an extraction method."""
    text = fileobj.read().decode("utf-8")
    lines = _line_numbers(text)
    for key, spec in parse_specs(text, getattr(fileobj, "name", "source.yml")).items():
        line = lines.get(key, 0)
        yield line, None, key, spec.translator_notes()
        for number, payload in enumerate(spec.buttons, start=1):
            yield line, None, spec.button_key(number), [button_note(spec, number, payload)]
