"""A language's own name typed alone ("English", "Wolof", "العربية") chooses that language, buttons on offer or not.

The language choice (`utter_ask_language`) titles each button with the language's own name. While its
buttons are on offer a typed title already selects one (api/outbox/choices.py); later, or before the
choice was ever shown, the NLU read such a name as "change the language" and answered with the whole
list again. Here the name alone, compared as typed titles are, becomes the button's payload.
"""

from __future__ import annotations

from api.core.config import get_settings
from api.nlg.catalogs import CatalogSnapshot, catalog_store
from api.outbox.choices import normalise_choice

LANGUAGE_CHOICE = "utter_ask_language"
# Longer than any language's name: a sentence is left to the NLU without normalising it.
LONGEST_NAME = 40

# The names of the last snapshot asked about (catalogs change only when an editor saves one).
_last: tuple[CatalogSnapshot, dict[str, str]] | None = None


def language_names(snapshot: CatalogSnapshot) -> dict[str, str]:
    """Every title of the language choice's buttons, in every catalog, normalised → the button's payload."""
    global _last
    last = _last
    if last is not None and last[0] is snapshot:
        return last[1]
    names: dict[str, str] = {}
    spec = snapshot.specs.get(LANGUAGE_CHOICE)
    if spec is not None:
        for number, payload in enumerate(spec.buttons, start=1):
            for language in snapshot.entries:
                entry = snapshot.entry(spec.button_key(number), language)
                if entry is not None and (name := normalise_choice(entry.text)):
                    names.setdefault(name, payload)
    _last = (snapshot, names)  # one assignment: a thread reads the old pair or the new one
    return names


def named_language_payload(text: str) -> str | None:
    """The language choice's payload when `text` is only a language's own name, else None."""
    if not text or len(text) > LONGEST_NAME or text.startswith("/"):
        return None
    typed = normalise_choice(text)
    if not typed:
        return None
    return language_names(catalog_store(get_settings().locales_dir).snapshot()).get(typed)
