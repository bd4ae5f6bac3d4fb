"""What a person receives: per language, the share of the messages they can be sent that arrive in their language.

A message "a person can be sent" is every message of locales/source.yml that the assistant, the
hotline or a gateway sends (`utter_…`, `case.…`, `channel.…`), except the fallback-note lines,
which are parts of other messages. For each language, each message arrives:

* as **text** in the language (its own catalog's text is the one served);
* as **audio** in the language (a recorded clip, `audio_available`; may come with text or not);
* in **Arabic** instead (Darija only, whose chain passes through Arabic);
* **only in French** (neither text nor audio in the language); of these, how many at least start
  with the one-line note in the language (`render.py`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from api.audio import index as audio_index
from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg import render
from api.nlg.catalogs import CatalogSnapshot, CatalogStore
from api.nlg.render import AUDIO_HINT, FALLBACK_NOTES, NOTE_PREFIXES, SPEAKER_HINT


@dataclass(frozen=True)
class Received:
    """How the messages a person can be sent arrive in one language."""

    language: str
    messages: int
    as_text: int
    as_audio: int
    in_arabic: int
    only_in_french: int
    french_with_note: int


def sendable_messages(snapshot: CatalogSnapshot) -> list[str]:
    """The keys of every message a person can be sent (button titles are part of their message)."""
    parts = {*FALLBACK_NOTES.values(), AUDIO_HINT, SPEAKER_HINT}
    return sorted(key for key in snapshot.specs if key.startswith(NOTE_PREFIXES) and key not in parts)


def received(snapshot: CatalogSnapshot) -> list[Received]:
    """One row per supported language."""
    keys = sendable_messages(snapshot)
    audio_index.load_index_now()
    rows = []
    for language in SUPPORTED_LANGUAGES:
        served = {key: render.served_text(snapshot, key, language) for key in keys}
        text = {key for key, r in served.items() if r is not None and r.language == language}
        audio = {key for key in keys if render.audio_available(key, language)}
        arabic = {key for key, r in served.items()
                  if r is not None and r.language == "ar" and language != "ar" and key not in audio}
        french = set(keys) - text - audio - arabic
        note = snapshot.entry(FALLBACK_NOTES["fr"], language)
        rows.append(Received(language=language, messages=len(keys), as_text=len(text), as_audio=len(audio),
                             in_arabic=len(arabic), only_in_french=len(french),
                             french_with_note=len(french) if note is not None and language != "fr" else 0))
    return rows


def _share(count: int, total: int) -> str:
    return f"{count:>4} {100 * count / total if total else 0:>5.1f}%"


def print_received(snapshot: CatalogSnapshot, out: TextIO) -> None:
    """The table of `received`, counts and shares."""
    rows = received(snapshot)
    total = rows[0].messages if rows else 0
    print(f"What a person receives: {total} messages a person can be sent (answers, hotline and channel notices)",
          file=out)
    print(f"{'lang':<5} {'as text':>11} {'as audio':>11} {'in Arabic':>11} {'only French':>12} "
          f"{'(with the note)':>15}", file=out)
    for row in rows:
        print(f"{row.language:<5} {_share(row.as_text, total):>11} {_share(row.as_audio, total):>11} "
              f"{_share(row.in_arabic, total):>11} {_share(row.only_in_french, total):>12} "
              f"{row.french_with_note:>15}", file=out)


def run_report(locales_dir: Path, out: TextIO | None = None) -> int:
    """Print the report; always 0 (it measures, it does not judge)."""
    print_received(CatalogStore(locales_dir).snapshot(), out if out is not None else sys.stdout)
    return 0
