"""Console labels through gettext (the `console` domain of locales/), in French, English or Arabic.

The language is the operator's choice (`Operator.console_language`), else `?lang=`, else the best
match of the browser's Accept-Language (`api.core.languages.negotiate_language`, Babel's negotiation), else French. Arabic pages are
right-to-left.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from api.core.languages import negotiate_language

CONSOLE_LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")
RTL_CONSOLE_LANGUAGES: frozenset[str] = frozenset({"ar"})
DOMAIN = "console"


@lru_cache(maxsize=8)
def console_translations(locales_dir: Path, language: str) -> gettext.NullTranslations:
    """Compiled catalog if built, else the .po read directly, else the English msgids."""
    folder = locales_dir / language / "LC_MESSAGES"
    if (folder / f"{DOMAIN}.mo").exists():
        return Translations.load(str(locales_dir), [language], domain=DOMAIN)
    po_path = folder / f"{DOMAIN}.po"
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def plural_gettext(translations: gettext.NullTranslations) -> Callable[..., str]:
    """`ngettext` as jinja2.ext.i18n's new style has it: the chosen form filled with `num` and the variables."""

    def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
        return translations.ngettext(singular, plural, num) % {"num": num, **variables}

    return ngettext


def pick_console_language(requested: str | None, accept_language: str, preferred: str | None = None) -> str:
    """The operator's preference, else `?lang=`, else the negotiated Accept-Language, else French."""
    for choice in (preferred, requested):
        if choice in CONSOLE_LANGUAGES:
            return choice
    return negotiate_language(accept_language, CONSOLE_LANGUAGES, CONSOLE_LANGUAGES[0])


def text_direction(language: str) -> str:
    """`rtl` for Arabic, `ltr` otherwise (the page's `dir`)."""
    return "rtl" if language in RTL_CONSOLE_LANGUAGES else "ltr"
