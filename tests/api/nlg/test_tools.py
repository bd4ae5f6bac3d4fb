"""Catalog maintenance: extract the template, merge it into catalogs, compile .mo files from a clean tree."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from api.core.config import PROJECT_ROOT
from api.nlg import tools
from api.nlg.catalogs import CatalogStore, catalog_path, read_catalog
from tests.api.nlg.catalog_files import FRENCH, SOURCE_YML, make_locales


def with_babel_cfg(locales_dir: Path) -> Path:
    shutil.copy(PROJECT_ROOT / "locales" / "babel.cfg", locales_dir / "babel.cfg")
    return locales_dir


def test_the_template_holds_every_key_with_its_translator_notes(tmp_path: Path) -> None:
    locales_dir = tmp_path / "locales"
    locales_dir.mkdir()
    shutil.copy(PROJECT_ROOT / "locales" / "source.yml", locales_dir / "source.yml")
    with_babel_cfg(locales_dir)
    with tools.extract_template(locales_dir).open("rb") as handle:
        template = read_po(handle)
    specs = CatalogStore(locales_dir).snapshot().specs
    messages = {m.id: m for m in template if m.id}
    assert set(specs) <= set(messages)
    for key, spec in specs.items():
        notes = messages[key].auto_comments
        assert f"where: {spec.where}" in " ".join(notes), key
        if spec.source:
            assert any(note.startswith("source:") for note in notes), key
        for number in range(1, len(spec.buttons) + 1):
            assert f"{key}.button.{number}" in messages


def test_update_keeps_translations_adds_new_keys_and_drops_removed_ones(tmp_path: Path) -> None:
    locales_dir = with_babel_cfg(make_locales(tmp_path, {"fr": {**FRENCH, "utter_removed": "Ancien texte"}}))
    source = SOURCE_YML + "  utter_new:\n    where: a new message\n"
    (locales_dir / "source.yml").write_text(source, encoding="utf-8")
    tools.extract_template(locales_dir)
    tools.update_catalogs(locales_dir)
    entries = read_catalog(catalog_path(locales_dir, "fr"))
    assert entries["utter_goodbye"].text == FRENCH["utter_goodbye"]
    assert entries["utter_new"].text == "" and not entries["utter_new"].fuzzy
    assert "utter_removed" not in entries  # kept only as an obsolete `#~` entry


def test_init_starts_an_empty_catalog_for_a_new_language(tmp_path: Path) -> None:
    locales_dir = with_babel_cfg(make_locales(tmp_path, {"fr": FRENCH}))
    tools.extract_template(locales_dir)
    path = tools.init_catalog(locales_dir, "bm")
    entries = read_catalog(path)
    assert set(entries) >= set(FRENCH) and all(e.text == "" for e in entries.values())
    assert "Language: bm" in path.read_text(encoding="utf-8")


def test_compile_builds_mo_files_gettext_reads_leaving_out_fuzzy_entries(tmp_path: Path) -> None:
    french = {**FRENCH, "utter_goodbye": ("Au revoir (brouillon)", True)}
    locales_dir = make_locales(tmp_path, {"fr": french})
    tools.compile_catalogs(locales_dir)
    translation = gettext.translation("messages", localedir=str(locales_dir), languages=["fr"])
    assert translation.gettext("utter_greet") == FRENCH["utter_greet"]
    assert translation.gettext("utter_goodbye") == "utter_goodbye"  # unreviewed: not compiled


def test_make_locales_compiles_the_real_catalogs_from_a_clean_tree(tmp_path: Path) -> None:
    """What `make locales` runs, on a copy of locales/ without any .mo (as in a fresh clone)."""
    copy = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", copy, ignore=shutil.ignore_patterns("*.mo"))
    env = {**os.environ, "LOCALES_DIR": str(copy)}
    result = subprocess.run([sys.executable, "-m", "api.nlg.commands", "compile"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    built = sorted(p.parent.parent.name for p in copy.glob("*/LC_MESSAGES/messages.mo"))
    assert built == sorted(p.parent.parent.name for p in copy.glob("*/LC_MESSAGES/messages.po"))
    french = gettext.translation("messages", localedir=str(copy), languages=["fr"])
    assert french.gettext("utter_greet") == read_catalog(catalog_path(copy, "fr"))["utter_greet"].text
