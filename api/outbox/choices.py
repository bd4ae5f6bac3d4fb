"""Typed choices: a number ("2", "٢") or a button's title typed by hand selects a button the person was offered.

Every channel shows buttons its own way (web chat and Telegram as buttons, WhatsApp as a
numbered list), and on every channel people also type their answer. The gateway keeps the
buttons of the last message of each bot turn that had any (`OfferedChoice`), and before the
text goes to the NLU, a typed number or title of one of them becomes that button's payload.
Titles are compared normalised: case, accents, Arabic letter forms and diacritics, Eastern
Arabic digits, punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from api.core.clock import utcnow
from api.db import rows_changed
from api.outbox.messages import BotReply, Button
from api.outbox.models import OfferedChoice

# Rasa starts a new session after an hour of silence (bot/domain.yml): older buttons are forgotten.
OFFER_LIFETIME = timedelta(minutes=60)
# U+064B..U+065F harakat, tanwin, shadda, sukun; U+0670 superscript alef; U+0640 tatweel.
_TASHKEEL = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و",
                                 "ئ": "ي", "ک": "ك", "ی": "ي", "ھ": "ه", "ڭ": "ك", "گ": "ك"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Direction marks and isolates the renderer puts in right-to-left text.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Punctuation and spaces: "Oui, d'accord" and "oui d accord" are the same answer.
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_choice(text: str) -> str:
    """The form a typed answer and a button title are compared in."""
    text = _BIDI.sub("", unicodedata.normalize("NFKC", text)).translate(_DIGITS).casefold()
    text = _TASHKEEL.sub("", text).translate(_ARABIC_LETTERS)
    # Latin accents go (é → e); Arabic letters are left to the table above (NFD would split آ).
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    return _NOT_WORD.sub(" ", text).strip()


_NUMBER_ONLY = re.compile(r"^[\s\d+().-]+$")


def western_digits(text: str) -> str:
    """A message of digits only ("٢", "٠٦١٢٣٤٥٦٧٨") in Western digits, as the NLU and the forms read them."""
    return text.translate(_DIGITS) if _NUMBER_ONLY.match(text) else text


# A part of a title selects its button when it has a word this long ("appel", "grossesse"; not "de").
PART_MIN_WORD = 4
# Longer than this it is a sentence of its own, for the NLU.
PART_MAX_WORDS = 3
# Yes and no are left to the NLU unless typed in full: "effacer" must not confirm "Oui, effacer" (the erasure).
WHOLE_TITLE_ONLY = frozenset({"/affirm", "/deny"})


def choose(text: str, offered: Sequence[Button]) -> Button | None:
    """The offered button a typed text selects, else None.

    Its number (1-based); its title; or words of one title only ("appel" for "Appel téléphonique",
    "refus" for "Refus de soins"), except for a yes or a no. Words found in two titles ("soins")
    select nothing.
    """
    typed = normalise_choice(text)
    if not typed or not offered:
        return None
    if typed.isdigit():
        number = int(typed)
        return offered[number - 1] if 1 <= number <= len(offered) else None
    titles = [(button, normalise_choice(button.title)) for button in offered]
    exact = next((button for button, title in titles if title == typed), None)
    if exact is not None:
        return exact
    words = set(typed.split())
    if len(words) > PART_MAX_WORDS or not any(len(word) >= PART_MIN_WORD for word in words):
        return None
    holding = [button for button, title in titles
               if words <= set(title.split()) and button.payload not in WHOLE_TITLE_ONLY]
    return holding[0] if len(holding) == 1 else None


def offered_buttons(session: Session, conversation_id: str) -> tuple[Button, ...]:
    """The buttons the person was last offered, if that was within the last hour."""
    return buttons_on_offer(session.get(OfferedChoice, conversation_id))


def buttons_on_offer(row: OfferedChoice | None) -> tuple[Button, ...]:
    """The buttons of a stored offer, if it was made within the last hour."""
    if row is None or row.offered_at < utcnow() - OFFER_LIFETIME:
        return ()
    return tuple(Button(title=str(b.get("title", "")), payload=str(b.get("payload", ""))) for b in row.buttons)


def remember_offered_buttons(session: Session, conversation_id: str, replies: Sequence[BotReply],
                             stored: bool | None = None) -> None:
    """After a bot turn: keep the buttons of its last message that had any (none: forget the old ones).

    On WhatsApp each message numbers its own choices from 1; the last one is what the person
    sees at the bottom of the chat and answers. `stored`: whether the caller read, in this turn,
    that the conversation has an offer stored (None: not read), which saves a statement. The row is
    written with plain statements, never through an object read earlier: it may have been deleted
    since (an operator claiming the case, an erasure during the turn), and the new buttons still
    count. The caller commits.
    """
    buttons = next((reply.buttons for reply in reversed(replies) if reply.buttons), ())
    if not buttons:
        if stored is not False:
            forget_offered_buttons(session, conversation_id)
        return
    values = {"buttons": [{"title": b.title, "payload": b.payload} for b in buttons], "offered_at": utcnow()}
    if stored is not False and rows_changed(session, update(OfferedChoice).where(
            OfferedChoice.conversation_id == conversation_id).values(**values)):
        return
    session.execute(insert(OfferedChoice).values(conversation_id=conversation_id, **values))


def forget_offered_buttons(session: Session, conversation_id: str) -> None:
    """A message without buttons reached the person (an operator's, a notice): old numbers mean nothing now."""
    session.execute(delete(OfferedChoice).where(OfferedChoice.conversation_id == conversation_id))
