"""Accept-Language: the best language we speak by quality, for the web chat and for the console."""

from __future__ import annotations

import pytest

from api.console.i18n import pick_console_language
from api.core.languages import SUPPORTED_LANGUAGES, negotiate_language
from sante_contract import LANGUAGES


@pytest.mark.parametrize(("header", "language"), [
    ("ar-MA,ar;q=0.9,fr;q=0.8", "ary"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9,en;q=0.5,fr;q=0.7", "fr"),   # quality wins over order
    ("fr;q=0.2, en;q=0.8", "en"),
    ("en;q=0, fr;q=0.1", "fr"),                     # q=0 means "not English"
    ("bm-ML, fr;q=0.5", "emk"),                     # Bambara readers get Malinké
    ("wo", "wo"),
    ("*", "fr"),
    ("", "fr"),
    ("zz;q=abc, de", "fr"),
])
def test_the_web_chat_picks_the_best_spoken_language_by_quality(header: str, language: str) -> None:
    assert negotiate_language(header) == language


@pytest.mark.parametrize(("header", "language"), [
    ("en-US,en;q=0.9", "en"),
    ("ar-MA,en;q=0.5", "ar"),       # a Moroccan Arabic browser gets the Arabic console
    ("wo,en;q=0.5", "en"),          # the console has no Wolof: the next acceptable one
    ("de;q=0.9, fr-FR;q=0.1, en;q=0.05", "fr"),
    ("de", "fr"),
])
def test_the_console_picks_its_language_by_quality_too(header: str, language: str) -> None:
    assert pick_console_language(None, header) == language
    assert pick_console_language("en", header) == "en"


def test_the_api_speaks_the_contract_languages() -> None:
    assert SUPPORTED_LANGUAGES == LANGUAGES
