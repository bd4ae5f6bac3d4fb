"""Catalog check for editors and CI: coverage per language; fails on gaps, broken placeholders, long texts."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot, CatalogStore
from api.nlg.render import FALLBACK_NOTES, NOTE_PREFIXES
from api.nlg.source import all_msgids, placeholders_in

# Languages whose catalogs must be complete and reviewed.
REQUIRED_LANGUAGES = ("fr", "en", "ar")
REFERENCE_LANGUAGE = "fr"
# Twilio refuses a WhatsApp body over 1600 characters (Telegram allows 4096).
CHANNEL_LIMIT = 1600


@dataclass(frozen=True)
class Coverage:
    """How much of one language is translated, and how much is served from another catalog."""

    language: str
    reviewed: int
    fuzzy: int
    missing: int
    served_from_fallback: int


def coverage(snapshot: CatalogSnapshot) -> list[Coverage]:
    """Counts per language over every msgid of locales/source.yml."""
    ids = all_msgids(snapshot.specs)
    rows = []
    for language in SUPPORTED_LANGUAGES:
        entries = [snapshot.entry(msgid, language) for msgid in ids]
        served = [snapshot.resolve(msgid, language) for msgid in ids]
        rows.append(Coverage(
            language=language,
            reviewed=sum(1 for e in entries if e is not None and not e.fuzzy),
            fuzzy=sum(1 for e in entries if e is not None and e.fuzzy),
            missing=sum(1 for e in entries if e is None),
            served_from_fallback=sum(1 for r in served if r is not None and r.language != language),
        ))
    return rows


def domain_responses(domain_path: Path) -> list[str]:
    """The response names of bot/domain.yml (empty when the file is absent)."""
    if not domain_path.is_file():
        return []
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    return list((domain.get("responses") or {}).keys())


def problems(snapshot: CatalogSnapshot, responses: list[str]) -> list[str]:
    """Every reason the catalogs are not fit to ship, one line each."""
    found: list[str] = []
    specs = snapshot.specs
    ids = all_msgids(specs)
    found += [f"bot/domain.yml: {name} is not in locales/source.yml" for name in responses if name not in specs]
    for language in REQUIRED_LANGUAGES:
        for msgid in ids:
            entry = snapshot.entry(msgid, language)
            if entry is None:
                found.append(f"{language}: {msgid} is missing")
            elif entry.fuzzy:
                found.append(f"{language}: {msgid} is not reviewed (fuzzy)")
    for msgid in ids:
        reference = snapshot.entry(msgid, REFERENCE_LANGUAGE)
        spec = specs.get(msgid)
        if reference is not None and spec is not None and placeholders_in(reference.text) != set(spec.placeholders):
            found.append(f"fr: {msgid} placeholders {sorted(placeholders_in(reference.text))} differ from "
                         f"source.yml {sorted(spec.placeholders)}")
        for language in SUPPORTED_LANGUAGES:
            entry = snapshot.entry(msgid, language)
            if entry is None:
                continue
            if reference is not None and placeholders_in(entry.text) != placeholders_in(reference.text):
                found.append(f"{language}: {msgid} placeholders {sorted(placeholders_in(entry.text))} differ from "
                             f"fr {sorted(placeholders_in(reference.text))}")
            if len(entry.text) > CHANNEL_LIMIT:
                found.append(f"{language}: {msgid} has {len(entry.text)} characters, over the channel limit "
                             f"{CHANNEL_LIMIT}")
    found += _long_with_note(snapshot, ids)
    return found


def _long_with_note(snapshot: CatalogSnapshot, ids: list[str]) -> list[str]:
    """A fallback text plus the "not in your language" note must still fit the channel."""
    found = []
    for language in SUPPORTED_LANGUAGES:
        for msgid in ids:
            resolved = snapshot.resolve(msgid, language)
            if resolved is None or resolved.language == language or not msgid.startswith(NOTE_PREFIXES):
                continue
            note = snapshot.entry(FALLBACK_NOTES.get(resolved.language, ""), language)
            length = len(resolved.text) + (len(note.text) + 2 if note else 0)
            if length > CHANNEL_LIMIT:
                found.append(f"{language}: {msgid} served from {resolved.language} with its note has {length} "
                             f"characters, over {CHANNEL_LIMIT}")
    return found


def run_check(locales_dir: Path, domain_path: Path, out: TextIO = sys.stdout) -> int:
    """Print the coverage table and every problem; 1 when there is a problem, else 0."""
    snapshot = CatalogStore(locales_dir).snapshot()
    total = len(all_msgids(snapshot.specs))
    print(f"{total} messages (with button titles) in locales/source.yml", file=out)
    print(f"{'lang':<5} {'reviewed':>8} {'fuzzy':>6} {'missing':>8} {'fallback served':>16}", file=out)
    for row in coverage(snapshot):
        print(f"{row.language:<5} {row.reviewed:>8} {row.fuzzy:>6} {row.missing:>8} {row.served_from_fallback:>16}",
              file=out)
    found = problems(snapshot, domain_responses(domain_path))
    for line in found:
        print(f"ERROR {line}", file=out)
    print("catalogs OK" if not found else f"{len(found)} problem(s)", file=out)
    return 1 if found else 0
