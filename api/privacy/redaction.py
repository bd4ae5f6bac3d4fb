"""Redaction at intake: phone numbers, identity-document numbers and emails never reach Rasa or a stored row.

A gateway calls `redact(text)` on every message before anything else sees it. Each number,
document number or address is replaced by a placeholder without letters (`[☎]`, `[#]`, `[@]`),
so the NLU's language detection and intent classifier see only the person's words (a message
that is only a number stays "ambiguous" about its language, as the number itself was). The first
phone number that can be called back is returned on the side, for the gateway to keep encrypted
(`api/privacy/contacts.py`), never in the text.

What is a phone number: whatever Google's libphonenumber (`phonenumbers`) finds, read as Moroccan
when there is no country code (`0612345678`, `06 12 34 56 78`, `+212 6…`, `00212…`, `+234…`),
plus any other run of 8 digits or more (a foreign number typed without its code). An identity
document: one to three letters followed by five to nine digits (Moroccan CIN `AB123456`, most
passports `A01234567`). Never redacted: amounts and short numbers ("2000 dirhams", "15", "112"),
dates ("12.03.2024", "12/03/2024"), times, Arabizi words with digits ("3ndi", "sa7a"), town names
and the assistant's own references (`MS-7K3Q9P`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

PHONE_PLACEHOLDER = "[☎]"
DOCUMENT_PLACEHOLDER = "[#]"
EMAIL_PLACEHOLDER = "[@]"
DEFAULT_REGION = "MA"
# E.164 allows 15 digits; fewer than 8 is never a number anyone can be called back on.
CALLABLE_DIGITS = range(8, 16)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The assistant's own case references (api/cases/intake.py) and dates are kept as written.
REFERENCE = re.compile(r"\bMS-[0-9A-Z]{6}\b", re.IGNORECASE)
# A date is three groups, not four or five: "06-12-34-56-78" is a phone number.
DATE = re.compile(r"(?<![\d./-])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d./-])")
# Letters first, then digits: CIN (1-2 letters), passports (1-3 letters), an optional letter after.
# Written apart ("BE 123456") only in capitals, so "au 12345678" stays a word and a number.
DOCUMENT = re.compile(r"(?<![\w-])(?:[A-Za-z]{1,3}\d{5,9}[A-Za-z]?|[A-Z]{1,3}[ -]\d{5,9})(?![\w-])")
# A run of digits with the separators people type in numbers; redacted when it holds 8 digits or more.
DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")


@dataclass(frozen=True)
class Redacted:
    """The text as it may be stored, what was taken out of it, and the callable number if one was given."""

    text: str
    phones: int = 0
    documents: int = 0
    emails: int = 0
    callback_number: str | None = None

    @property
    def changed(self) -> bool:
        """Whether anything was replaced."""
        return bool(self.phones or self.documents or self.emails)


def redact(text: str) -> Redacted:
    """Replace phone numbers, document numbers and emails in `text` by placeholders."""
    if not text or text.startswith("/"):
        # Button payloads (`/intent{...}`) come from the assistant's own buttons, not from the person's words.
        return Redacted(text=text)
    kept: dict[str, str] = {}

    def keep(match: re.Match[str]) -> str:
        # A marker with no letter or digit, so no later pattern can match inside or across it.
        token = f"\ue000{chr(0xE100 + len(kept))}\ue000"
        kept[token] = match.group(0)
        return token

    work = REFERENCE.sub(keep, text)
    work = DATE.sub(keep, work)
    work, emails = EMAIL.subn(EMAIL_PLACEHOLDER, work)
    work, documents = DOCUMENT.subn(DOCUMENT_PLACEHOLDER, work)
    work, phones, callback = _redact_phones(work)
    for token, original in kept.items():
        work = work.replace(token, original)
    return Redacted(text=work, phones=phones, documents=documents, emails=emails, callback_number=callback)


def _redact_phones(text: str) -> tuple[str, int, str | None]:
    """Numbers libphonenumber recognises, then any other long digit run; the first callable one is returned."""
    found: list[str] = []
    pieces: list[str] = []
    position = 0
    for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        pieces += [text[position:match.start], PHONE_PLACEHOLDER]
        found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
        position = match.end
    text = "".join(pieces) + text[position:]
    count = len(found)

    def digit_run(match: re.Match[str]) -> str:
        nonlocal count
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) < CALLABLE_DIGITS.start:
            return match.group(0)
        if len(digits) in CALLABLE_DIGITS:
            found.append(("+" if match.group(0).startswith("+") else "") + digits)
        count += 1
        return PHONE_PLACEHOLDER

    text = DIGIT_RUN.sub(digit_run, text)
    return text, count, found[0] if found else None


def round_coordinate(value: float) -> float:
    """A latitude or longitude rounded to 2 decimals: about 1 km, enough for "the nearest health centre"."""
    return round(value, LOCATION_DECIMALS)


LOCATION_DECIMALS = 2
