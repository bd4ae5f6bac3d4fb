"""Render one message in a person's language: fallback chain, placeholders, buttons, right-to-left text."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from api.core.config import get_settings
from api.core.languages import DEFAULT_LANGUAGE, RTL_LANGUAGES, normalise_language_tag
from api.core.logging import log_event
from api.nlg.catalogs import CatalogSnapshot, Resolved, catalog_store
from api.nlg.source import PLACEHOLDER

logger = logging.getLogger(__name__)

FSI, PDI = "\u2068", "\u2069"
# Messages that say "not yet in your language" when served from a fallback catalog (not page labels,
# not phone prompts, not the card's own lines).
NOTE_PREFIXES = ("utter_", "channel.", "case.")
FALLBACK_NOTES = {"fr": "utter_fallback_language_note", "ar": "utter_fallback_language_note_ar"}
# Said on the note's line, when it applies, to tell the person how to get the answer in their language.
AUDIO_HINT = "utter_fallback_language_note_audio"
SPEAKER_HINT = "utter_fallback_language_note_speaker"
SPEAKER_BUTTON = f"{SPEAKER_HINT}.button.1"
REQUEST_HUMAN = "/request_human"
# Messages of the way to a person itself (the offer, the consent, the request sent or declined):
# offering a person again there would start a second escalation.
ABOUT_REACHING_A_PERSON = ("utter_offer_human", "utter_ask_escalation", "utter_escalation_", "utter_referral_")
# Messages that say which language the assistant answers in. Like the note, their only job is to speak the
# person's language, so their own catalog's text is served even unreviewed ("OK, I answer you in Wolof; some
# answers are still in French"). Served from another catalog they would contradict the note ("not yet in
# Wolof" then "OK, I answer you in French"): without any text of their own the note stands alone.
STATES_THE_LANGUAGE = frozenset({"utter_language_changed"})
# A slash command such as /forget inside right-to-left text would show as "forget/" without an isolate.
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")
IMAGE_ROUTES = {"rights_card": "rights-card"}


class UnknownResponse(LookupError):
    """The message key is in no catalog and not in locales/source.yml."""


@dataclass(frozen=True)
class Button:
    """A button: its title in the person's language and the Rasa payload it sends."""

    title: str
    payload: str


@dataclass(frozen=True)
class RenderedResponse:
    """A message ready for a channel, and which catalog it came from."""

    text: str
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    # The editors' recording of this message in the person's language (api/audio/index.py).
    audio: str | None = None
    language: str = DEFAULT_LANGUAGE
    requested_language: str = DEFAULT_LANGUAGE
    missing_placeholders: tuple[str, ...] = field(default=())

    @property
    def is_fallback(self) -> bool:
        """Served in another language than the person's."""
        return self.language != self.requested_language

    def to_rasa(self) -> dict[str, Any]:
        """The body Rasa 3.6 expects from an NLG server (`rasa.core.nlg.callback.nlg_response_format_spec`).

        Only the keys of that schema: Rasa copies any other key into the bot event's metadata. A
        recording goes as the `attachment`, which Rasa's REST channel hands on as its own item.
        """
        attachment = {"type": "audio", "payload": {"src": self.audio}} if self.audio else None
        return {"text": self.text, "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
                "image": self.image, "elements": [], "attachment": attachment, "custom": {}}

    def with_audio(self, name: str) -> "RenderedResponse":
        """The same message with the editors' clip of `name` in the person's language, if there is one."""
        from api.audio.index import audio_url

        url = audio_url(name, self.requested_language)
        return replace(self, audio=url) if url else self


def pick_language(language: str | None) -> str:
    """A supported language code for any tag (`ar-MA`, `fr_FR`, `bm`...), French when unknown."""
    return normalise_language_tag(language or "") or DEFAULT_LANGUAGE


def isolate(value: str) -> str:
    """Wrap each line of a value in first-strong isolates, so Latin names read right inside Arabic."""
    return "\n".join(f"{FSI}{line}{PDI}" if line else line for line in value.split("\n"))


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, bool)):
        return None
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill_placeholders(text: str, variables: Mapping[str, Any], rtl: bool, key: str) -> tuple[str, tuple[str, ...]]:
    """Replace `{name}` with its value; a missing value is logged and left out, never shown as braces."""
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        value = _as_text(variables.get(match.group(1)))
        if value is None:
            missing.append(match.group(1))
            return ""
        return isolate(value) if rtl else value

    filled = PLACEHOLDER.sub(substitute, text)
    if missing:
        log_event(logger, "nlg_placeholder_missing", level=logging.ERROR, response=key,
                  placeholders=",".join(missing))
        filled = re.sub(r"[ \t]{2,}", " ", filled).strip()
    if rtl:
        filled = COMMAND.sub(lambda m: isolate(m.group(0)), filled)
    return filled, tuple(missing)


def audio_available(msgid: str, language: str) -> bool:
    """Whether a recorded audio clip of `msgid` in `language` is sent with the message (api/audio/index.py)."""
    from api.audio import index as audio

    return audio.audio_available(msgid, language)


def _own_first(snapshot: CatalogSnapshot, key: str, requested: str) -> Resolved | None:
    """The text of the person's own catalog even unreviewed (for a line whose only job is to speak their
    language), else the reviewed text along the fallback chain."""
    entry = snapshot.entry(key, requested)
    if entry is not None:
        return Resolved(entry.text, requested, entry.fuzzy)
    return snapshot.resolve(key, requested)


def _own_line(snapshot: CatalogSnapshot, key: str, requested: str) -> str | None:
    """The text of `_own_first`, if any."""
    resolved = _own_first(snapshot, key, requested)
    return resolved.text if resolved is not None else None


def served_text(snapshot: CatalogSnapshot, name: str, language: str) -> Resolved | None:
    """The text of `name` a person reading `language` gets (before placeholders and the note).

    The first reviewed text along the language chain, an unreviewed one only when none is; for a
    message that states the language (`STATES_THE_LANGUAGE`), the person's own text, reviewed or not.
    """
    return _own_first(snapshot, name, language) if name in STATES_THE_LANGUAGE else snapshot.resolve(name, language)


def _fallback_note(snapshot: CatalogSnapshot, requested: str, served: str) -> str | None:
    """The note in the person's own catalog (even unreviewed: its only job is to speak their language)."""
    note_key = FALLBACK_NOTES.get(served)
    entry = snapshot.entry(note_key, requested) if note_key else None
    return entry.text if entry is not None else None


def _with_speaker_button(buttons: list[Button], title: str | None) -> list[Button]:
    """The message's "talk to a person" button retitled "in my language", or that button added."""
    if not title:
        return buttons
    if any(b.payload == REQUEST_HUMAN for b in buttons):
        return [Button(title, b.payload) if b.payload == REQUEST_HUMAN else b for b in buttons]
    return [*buttons, Button(title, REQUEST_HUMAN)]


def card_version(snapshot: CatalogSnapshot, language: str) -> str:
    """A short hash of the card's texts, so a changed card gets a new URL past channel caches."""
    texts = [snapshot.resolve(k, lang) for k, lang in (("rights_card.title", "fr"), ("rights_card.text", "fr"),
             ("rights_card.title", "ar"), ("rights_card.text", "ar"), ("rights_card.show_at_reception", language))]
    joined = "\x1f".join(t.text if t else "" for t in texts)
    return hashlib.sha256(joined.encode()).hexdigest()[:10]


def render_from_snapshot(snapshot: CatalogSnapshot, name: str, language: str | None,
                         variables: Mapping[str, Any] | None = None,
                         public_base_url: str = "http://localhost:8000",
                         speaker_on_duty: Callable[[str], bool] | None = None) -> RenderedResponse:
    """Render `name` for a person who reads `language`, from one consistent set of catalogs.

    A message served from another language starts with ONE line in the person's language: the
    note, then how to get it in their language when there is a way (an audio clip sent with it;
    else, when `speaker_on_duty` is given and says an operator on duty speaks it, a button to
    talk to that person). Callers pass `speaker_on_duty` only where offering a person fits (not
    inside the escalation form, not to a person an operator already holds).
    """
    requested = pick_language(language)
    resolved = served_text(snapshot, name, requested)
    if resolved is None:
        raise UnknownResponse(f"no catalog has a text for {name!r}; add it to locales/source.yml and the catalogs")
    rtl = resolved.language in RTL_LANGUAGES
    text, missing = fill_placeholders(resolved.text, variables or {}, rtl, name)
    speaker_button: str | None = None
    if resolved.language != requested and name.startswith(NOTE_PREFIXES):
        note = _fallback_note(snapshot, requested, resolved.language)
        if note:
            hint = None
            if audio_available(name, requested):
                hint = _own_line(snapshot, AUDIO_HINT, requested)
            elif (speaker_on_duty is not None and not name.startswith(ABOUT_REACHING_A_PERSON)
                  and speaker_on_duty(requested)):
                hint = _own_line(snapshot, SPEAKER_HINT, requested)
                speaker_button = _own_line(snapshot, SPEAKER_BUTTON, requested) if hint else None
            line = f"{note} {hint}" if hint else note
            text = line if name in STATES_THE_LANGUAGE else f"{line}\n\n{text}"
    spec = snapshot.specs.get(name)
    buttons: list[Button] = []
    image = None
    if spec is not None:
        for number, payload in enumerate(spec.buttons, start=1):
            title = snapshot.resolve(spec.button_key(number), requested)
            if title is None:
                log_event(logger, "nlg_button_title_missing", level=logging.ERROR, response=name, button=number)
                continue
            buttons.append(Button(title=title.text, payload=payload))
        if spec.image in IMAGE_ROUTES:
            version = card_version(snapshot, requested)
            image = f"{public_base_url.rstrip('/')}/{IMAGE_ROUTES[spec.image]}/{requested}.png?v={version}"
    if speaker_button:
        buttons = _with_speaker_button(buttons, speaker_button)
    # DEBUG: one line per response of every turn would be most of the log (and of its cost).
    log_event(logger, "nlg_rendered", logging.DEBUG, response=name, requested=requested, served=resolved.language,
              fuzzy=resolved.fuzzy)
    return RenderedResponse(text=text, buttons=tuple(buttons), image=image, language=resolved.language,
                            requested_language=requested, missing_placeholders=missing)


def render_response(name: str, language: str | None, variables: Mapping[str, Any] | None = None) -> RenderedResponse:
    """Render a message from the configured locales folder (reloaded when an editor saves a catalog)."""
    settings = get_settings()
    snapshot = catalog_store(settings.locales_dir).snapshot()
    return render_from_snapshot(snapshot, name, language, variables, settings.public_base_url).with_audio(name)
