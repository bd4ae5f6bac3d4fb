"""The project's own catalogs (locales/) against bot/domain.yml: every response, every language, every check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from api.core.config import PROJECT_ROOT
from api.core.languages import RTL_LANGUAGES, SUPPORTED_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot, CatalogStore, catalog_path, language_chain
from api.nlg.check import REQUIRED_LANGUAGES, domain_responses, run_check
from api.nlg.render import FSI, PDI, render_from_snapshot
from api.nlg.rights_card import card_layout, has_glyph
from api.nlg.source import all_msgids, placeholders_in

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = PROJECT_ROOT / "bot" / "domain.yml"
# Values shaped like the ones the action server and the backend pass.
SAMPLE_VALUES = {"city": "Oujda", "services": "1. Centre de santé Al Qods\n2. ALCS Oujda *",
                 "reference": "SM-4K7Q2", "digit": "3"}


@pytest.fixture(scope="module")
def snapshot() -> CatalogSnapshot:
    return CatalogStore(LOCALES_DIR).snapshot()


def test_the_domain_uses_responses() -> None:
    assert len(domain_responses(DOMAIN)) > 20


@pytest.mark.parametrize("language", REQUIRED_LANGUAGES)
def test_every_source_key_is_translated_and_reviewed(snapshot: CatalogSnapshot, language: str) -> None:
    gaps = [msgid for msgid in all_msgids(snapshot.specs)
            if (entry := snapshot.entry(msgid, language)) is None or entry.fuzzy]
    assert not gaps, f"{language}: {len(gaps)} missing or fuzzy, e.g. {gaps[:5]}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_domain_response_renders(snapshot: CatalogSnapshot, language: str) -> None:
    for name in domain_responses(DOMAIN):
        spec = snapshot.specs[name]
        values = {key: SAMPLE_VALUES.get(key, f"X-{key}") for key in spec.placeholders}
        rendered = render_from_snapshot(snapshot, name, language, values)
        assert rendered.language in language_chain(language), name
        assert rendered.text.strip() and rendered.missing_placeholders == (), name
        assert "{" not in rendered.text, name
        assert len(rendered.buttons) == len(spec.buttons), name
        assert all(button.title.strip() for button in rendered.buttons), name


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_placeholders_match_the_source_list(snapshot: CatalogSnapshot, language: str) -> None:
    wrong = [key for key, spec in snapshot.specs.items()
             if (entry := snapshot.entry(key, language)) is not None
             and placeholders_in(entry.text) != set(spec.placeholders)]
    assert not wrong, f"{language}: placeholders differ from source.yml in {wrong}"


@pytest.mark.parametrize("language", sorted(RTL_LANGUAGES))
def test_latin_values_are_isolated_in_right_to_left_replies(snapshot: CatalogSnapshot, language: str) -> None:
    rendered = render_from_snapshot(snapshot, "utter_referral_created", language, {"reference": "SM-4K7Q2"})
    assert rendered.language in RTL_LANGUAGES
    assert f"{FSI}SM-4K7Q2{PDI}" in rendered.text


def test_the_catalog_check_passes(snapshot: CatalogSnapshot) -> None:
    out = io.StringIO()
    code = run_check(LOCALES_DIR, DOMAIN, out)
    assert code == 0, "\n".join(line for line in out.getvalue().splitlines() if line.startswith("ERROR"))[:3000]


def test_the_rights_card_cites_the_circulars_and_article_57_in_french_and_arabic(snapshot: CatalogSnapshot) -> None:
    (fr_title, fr_body), (ar_title, ar_body) = card_layout(snapshot, "fr").columns
    assert (fr_body.language, ar_body.language) == ("fr", "ar")
    for body in (fr_body, ar_body):
        text = " ".join(body.lines).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        assert all(cited in text for cited in ("2003", "2008", "57")), (body.language, text)
    for block in (fr_title, fr_body, ar_title, ar_body):
        missing = {c for line in block.drawn_lines() for c in line if not c.isspace() and not has_glyph(block.font, c)}
        assert not missing, (block.key, block.language, missing)


def test_there_are_ten_catalogs() -> None:
    present = sorted(p.parent.parent.name for p in Path(LOCALES_DIR).glob("*/LC_MESSAGES/messages.po"))
    assert present == sorted(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_each_catalog_entry_carries_the_where_and_source_notes_of_the_source_list(snapshot: CatalogSnapshot,
                                                                                  language: str) -> None:
    """The `#.` notes come from source.yml by `make locales-update`; a mismatch means it was not run."""
    specs = snapshot.specs
    with catalog_path(LOCALES_DIR, language).open("rb") as handle:
        messages = {m.id: m for m in read_po(handle) if m.id}
    out_of_date = [key for key, spec in specs.items()
                   if key not in messages
                   or f"where: {spec.where}" not in " ".join(messages[key].auto_comments)
                   or (spec.source and f"source: {spec.source}" not in " ".join(messages[key].auto_comments))]
    assert not out_of_date, f"{language}: run `make locales-update`; notes differ for {out_of_date[:5]}"
