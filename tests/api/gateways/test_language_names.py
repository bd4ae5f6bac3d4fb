"""Each language's own name, as the language choice titles it, chooses that language (api/gateways/language_names.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from api.core.config import PROJECT_ROOT
from api.gateways import language_names
from api.nlg.catalogs import CatalogStore, catalog_path
from sante_contract import LANGUAGES


def chosen(payload: str) -> str:
    assert payload.startswith("/choose_language")
    return str(json.loads(payload.removeprefix("/choose_language"))["language"])


def test_every_language_can_be_chosen_by_its_own_name() -> None:
    names = language_names.language_names(CatalogStore(PROJECT_ROOT / "locales").snapshot())
    assert {chosen(payload) for payload in names.values()} == set(LANGUAGES)
    assert chosen(names["english"]) == "en" and chosen(names["العربيه"]) == "ar" and chosen(names["lingala"]) == "ln"


def test_an_edited_title_is_read_from_the_new_catalogs(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales)
    store = CatalogStore(locales)
    before = store.snapshot()
    assert "wolof" in language_names.language_names(before) and "olof" not in language_names.language_names(before)
    assert language_names.language_names(before) is language_names.language_names(before)  # kept per snapshot
    path = catalog_path(locales, "wo")
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Wolof"', 'msgstr "Olof"'), encoding="utf-8")
    names = language_names.language_names(store.snapshot())
    assert chosen(names["olof"]) == "wo"


def test_only_a_name_alone_is_a_choice() -> None:
    assert language_names.named_language_payload("Français") == '/choose_language{"language": "fr"}'
    for text in ("je parle français", "x" * 41, "/choose_language", "", "  ", "?"):
        assert language_names.named_language_payload(text) is None, text
