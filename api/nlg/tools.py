"""Catalog maintenance: extract the template, merge it into every catalog, compile, start a language."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg.catalogs import DOMAIN, catalog_path

PROJECT = "sante-migrants"
TEMPLATE = f"{DOMAIN}.pot"


def extract_template(locales_dir: Path) -> Path:
    """Run `pybabel extract` with locales/babel.cfg on locales/source.yml; returns the .pot path."""
    project_root = str(Path(__file__).resolve().parents[2])
    if project_root not in sys.path:  # the extractor is imported by name from babel.cfg
        sys.path.insert(0, project_root)
    template = locales_dir / TEMPLATE
    # Babel's command line ships without annotations.
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F",  # type: ignore[no-untyped-call]
                                str(locales_dir / "babel.cfg"), "--no-location", f"--project={PROJECT}",
                                "--omit-header", "-o", str(template), str(locales_dir)])
    return template


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, include_previous=False)


def languages_present(locales_dir: Path) -> list[str]:
    """The languages that have a catalog folder."""
    return sorted(p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def update_catalogs(locales_dir: Path) -> list[str]:
    """Merge the template into each catalog: new keys empty, removed keys obsolete, no guessed translations."""
    template = _read(locales_dir / TEMPLATE)
    updated = []
    for language in languages_present(locales_dir):
        path = catalog_path(locales_dir, language)
        catalog = _read(path)
        # No fuzzy matching: msgids are keys, a "similar" key is a different message.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        _write(catalog, path)
        updated.append(language)
    print(f"updated: {' '.join(updated)}")
    return updated


def init_catalog(locales_dir: Path, language: str) -> Path:
    """Start the catalog of a new language from the template (every message empty)."""
    path = catalog_path(locales_dir, language)
    if path.exists():
        raise FileExistsError(f"{path} exists already; use `update`")
    template = _read(locales_dir / TEMPLATE)
    catalog = Catalog(locale=None, domain=DOMAIN, project=PROJECT, fuzzy=False,
                      creation_date=datetime.now(timezone.utc))
    catalog.update(template, no_fuzzy_matching=True)
    catalog.mime_headers  # noqa: B018 -- builds the header so the Language line below is kept
    _write(catalog, path)
    text = path.read_text(encoding="utf-8").replace('"MIME-Version', f'"Language: {language}\\n"\n"MIME-Version', 1)
    path.write_text(text, encoding="utf-8")
    hint = "" if language in SUPPORTED_LANGUAGES else \
        f"; add '{language}' to SUPPORTED_LANGUAGES in api/core/languages.py"
    print(f"created {path}{hint}")
    return path


def compile_catalogs(locales_dir: Path) -> list[Path]:
    """Build a .mo next to every .po (reviewed entries only); the server itself reads the .po files."""
    built = []
    for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/*.po")):
        catalog = _read(po_path)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        built.append(mo_path)
    print(f"compiled {len(built)} catalogs")
    return built
