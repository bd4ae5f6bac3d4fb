"""Catalog check for editors and CI: coverage per language; fails on gaps, broken placeholders, long texts."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml
from babel.messages.pofile import PoFileError, read_po

from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot, CatalogStore, catalog_path
from api.nlg.render import AUDIO_HINT, FALLBACK_NOTES, NOTE_PREFIXES, SPEAKER_HINT
from api.nlg.source import SourceListError, all_msgids, placeholders_in

# Languages whose catalogs must be complete and reviewed.
REQUIRED_LANGUAGES = ("fr", "en", "ar")
# The same text goes to every channel, so the strictest limit applies: Twilio refuses a WhatsApp
# body over 1600 characters, Telegram one over 4096.
CHANNEL_LIMITS = {"whatsapp": 1600, "telegram": 4096}
CHANNEL_LIMIT = min(CHANNEL_LIMITS.values())
# A keyword line (msgid, msgstr, msgstr[0], msgctxt...) or a continuation line: one complete quoted string.
PO_STRING_LINE = re.compile(r'^(msg[a-z_]+(\[\d+\])?\s+)?"(?:[^"\\]|\\.)*"$')


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


def fuzzy_entries(snapshot: CatalogSnapshot) -> list[tuple[str, str]]:
    """(language, msgid) of every unreviewed entry, for the report."""
    ids = all_msgids(snapshot.specs)
    return [(language, msgid) for language in SUPPORTED_LANGUAGES for msgid in ids
            if (entry := snapshot.entry(msgid, language)) is not None and entry.fuzzy]


def domain_responses(domain_path: Path) -> list[str]:
    """The response names bot/domain.yml uses: its responses and its `utter_` actions (empty without a domain)."""
    if not domain_path.is_file():
        return []
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    names = list((domain.get("responses") or {}).keys())
    names += [str(a) for a in domain.get("actions") or () if str(a).startswith("utter_") and a not in names]
    return names


def _unclosed_strings(text: str) -> list[int]:
    """Line numbers of msgid/msgstr lines whose string is not closed (Babel would read them as empty)."""
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if line.strip().startswith(("msg", '"')) and not PO_STRING_LINE.match(line.strip())]


def unreadable_catalogs(locales_dir: Path) -> list[str]:
    """Catalogs with a syntax error (the server keeps serving their last good version)."""
    found = []
    for language in SUPPORTED_LANGUAGES:
        path = catalog_path(locales_dir, language)
        if not path.is_file():
            continue
        try:
            with path.open("rb") as handle:
                read_po(handle, abort_invalid=True)
            unclosed = _unclosed_strings(path.read_text(encoding="utf-8"))
        except (PoFileError, UnicodeDecodeError, ValueError) as error:
            found.append(f"{language}: {path.name} cannot be read: {error}")
            continue
        found += [f"{language}: {path.name} line {number}: the string is not closed by a quote"
                  for number in unclosed]
    return found


def _required_gaps(snapshot: CatalogSnapshot, ids: list[str]) -> list[str]:
    found = []
    for language in REQUIRED_LANGUAGES:
        for msgid in ids:
            entry = snapshot.entry(msgid, language)
            if entry is None:
                found.append(f"{language}: {msgid} is missing")
            elif entry.fuzzy:
                # Served only after every reviewed fallback, so for the reader it is as good as missing.
                found.append(f"{language}: {msgid} is not reviewed (fuzzy)")
    return found


def _placeholder_and_length_errors(snapshot: CatalogSnapshot, ids: list[str]) -> list[str]:
    found = []
    for msgid in ids:
        spec = snapshot.specs.get(msgid)  # None for a button title: titles take no placeholder
        expected = set(spec.placeholders) if spec is not None else set()
        for language in SUPPORTED_LANGUAGES:
            entry = snapshot.entry(msgid, language)
            if entry is None:
                continue
            used = placeholders_in(entry.text)
            if used != expected:
                found.append(f"{language}: {msgid} placeholders {sorted(used)} differ from "
                             f"source.yml {sorted(expected)}")
            if len(entry.text) > CHANNEL_LIMIT:
                found.append(f"{language}: {msgid} has {len(entry.text)} characters, over the channel limit "
                             f"{CHANNEL_LIMIT}")
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
            # The longest hint that may follow the note on its line (audio clip or speaker on duty).
            hints = [snapshot.entry(key, language) or snapshot.resolve(key, language) for key in (AUDIO_HINT, SPEAKER_HINT)]
            hint = max((len(h.text) + 1 for h in hints if h is not None), default=0)
            length = len(resolved.text) + (len(note.text) + hint + 2 if note else 0)
            if length > CHANNEL_LIMIT:
                found.append(f"{language}: {msgid} served from {resolved.language} with its note has {length} "
                             f"characters, over {CHANNEL_LIMIT}")
    return found


def problems(snapshot: CatalogSnapshot, responses: list[str]) -> list[str]:
    """Every reason the catalogs are not fit to ship, one line each."""
    ids = all_msgids(snapshot.specs)
    found = [f"bot/domain.yml: {name} is not in locales/source.yml" for name in responses
             if name not in snapshot.specs]
    found += _required_gaps(snapshot, ids)
    found += _placeholder_and_length_errors(snapshot, ids)
    found += _long_with_note(snapshot, ids)
    return found


def print_coverage(snapshot: CatalogSnapshot, out: TextIO) -> None:
    """The coverage table, then every unreviewed entry marked FUZZY."""
    total = len(all_msgids(snapshot.specs))
    print(f"{total} messages (with button titles) in locales/source.yml", file=out)
    print(f"{'lang':<5} {'translated':>10} {'fuzzy':>6} {'missing':>8} {'served from fallback':>21}", file=out)
    for row in coverage(snapshot):
        print(f"{row.language:<5} {row.reviewed:>10} {row.fuzzy:>6} {row.missing:>8} "
              f"{row.served_from_fallback:>21}", file=out)
    fuzzy = fuzzy_entries(snapshot)
    if fuzzy:
        print("Unreviewed (#, fuzzy) entries, served only where no reviewed text exists:", file=out)
    for language in SUPPORTED_LANGUAGES:
        keys = [msgid for lang, msgid in fuzzy if lang == language]
        if keys:
            print(f"FUZZY {language} ({len(keys)}): {', '.join(keys)}", file=out)


def run_check(locales_dir: Path, domain_path: Path, out: TextIO | None = None) -> int:
    """Print the coverage table and every problem; 1 when there is a problem, else 0."""
    out = out if out is not None else sys.stdout
    try:
        snapshot = CatalogStore(locales_dir).snapshot()
    except (OSError, SourceListError) as error:
        print(f"ERROR {error}", file=out)
        return 1
    print_coverage(snapshot, out)
    found = unreadable_catalogs(locales_dir) + problems(snapshot, domain_responses(domain_path))
    for line in found:
        print(f"ERROR {line}", file=out)
    print("catalogs OK" if not found else f"{len(found)} problem(s)", file=out)
    return 1 if found else 0
