"""Console labels through gettext (the `console` domain of locales/), in French or English."""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from api.core.languages import negotiate_language

CONSOLE_LANGUAGES: tuple[str, ...] = ("fr", "en")
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


def pick_console_language(requested: str | None, accept_language: str) -> str:
    """`?lang=` if it is a console language, else the best console language of Accept-Language, else French."""
    if requested in CONSOLE_LANGUAGES:
        return requested
    return negotiate_language(accept_language, CONSOLE_LANGUAGES, CONSOLE_LANGUAGES[0])
