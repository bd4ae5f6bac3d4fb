"""The rights card PNG: French and Arabic side by side, drawn from the catalogs, Arabic shaped right to left."""

from __future__ import annotations

import io
from pathlib import Path

import arabic_reshaper
import pytest
from bidi.algorithm import get_display
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from api.core.config import Settings, get_settings
from api.nlg import rights_card
from api.nlg.catalogs import CatalogSnapshot, CatalogStore
from api.nlg.rights_card import FontMissing, card_layout, has_glyph, render_rights_card
from api.routes import nlg
from tests.api.nlg.catalog_files import ARABIC, FRENCH, make_locales


@pytest.fixture
def snapshot(tmp_path: Path) -> CatalogSnapshot:
    return CatalogStore(make_locales(tmp_path)).snapshot()


def test_card_columns_hold_the_french_and_arabic_catalog_texts(snapshot: CatalogSnapshot) -> None:
    layout = card_layout(snapshot, "en")
    (fr_title, fr_body), (ar_title, ar_body) = layout.columns
    assert (fr_title.language, fr_body.language, ar_title.language, ar_body.language) == ("fr", "fr", "ar", "ar")
    assert " ".join(fr_body.lines) == FRENCH["rights_card.text"]
    assert " ".join(ar_body.lines) == ARABIC["rights_card.text"]
    assert " ".join(ar_title.lines) == ARABIC["rights_card.title"]
    assert len(fr_body.lines) > 1  # wrapped to the column


def test_header_is_in_the_persons_language_or_its_fallback(snapshot: CatalogSnapshot) -> None:
    assert card_layout(snapshot, "ary").header.lines == (ARABIC["rights_card.show_at_reception"],)
    assert card_layout(snapshot, "wo").header.lines == (FRENCH["rights_card.show_at_reception"],)


def test_arabic_lines_are_drawn_shaped_and_in_display_order(snapshot: CatalogSnapshot) -> None:
    _, (ar_title, ar_body) = card_layout(snapshot, "fr").columns
    assert ar_title.rtl and ar_body.rtl
    drawn = ar_body.drawn_lines()
    assert drawn == [get_display(arabic_reshaper.reshape(line)) for line in ar_body.lines]
    # Joined letters are Arabic presentation forms (U+FB50–U+FEFF), not the bare letters of the catalog.
    assert all(any("\ufb50" <= char <= "\ufeff" for char in line) for line in drawn)
    assert drawn[0] != ar_body.lines[0]


def test_brackets_in_arabic_lines_are_mirrored_so_they_read_the_right_way(snapshot: CatalogSnapshot) -> None:
    _, (_, ar_body) = card_layout(snapshot, "fr").columns
    drawn = " ".join(ar_body.drawn_lines())
    # Drawn left to right, an Arabic "(2011)" must still show as "(2011)", not ")2011(".
    assert "(2011)" in drawn and ")2011(" not in drawn


def test_every_character_drawn_has_a_glyph_in_the_font(snapshot: CatalogSnapshot) -> None:
    layout = card_layout(snapshot, "ar")
    for block in (layout.header, *(b for column in layout.columns for b in column)):
        missing = {char for line in block.drawn_lines() for char in line
                   if not char.isspace() and not has_glyph(block.font, char)}
        assert not missing, (block.key, block.language, missing)


def test_card_is_a_png_of_phone_friendly_size(snapshot: CatalogSnapshot) -> None:
    image = Image.open(io.BytesIO(render_rights_card(snapshot, "fr")))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width == 1080 and 300 <= height <= 2400


def test_both_columns_carry_ink(snapshot: CatalogSnapshot) -> None:
    image = Image.open(io.BytesIO(render_rights_card(snapshot, "fr"))).convert("L")
    width, height = image.size
    top = height // 3
    left = image.crop((0, top, width // 2 - 30, height))
    right = image.crop((width // 2 + 30, top, width, height))
    # Dark pixels on both sides: the French and the Arabic text are drawn.
    assert left.point(lambda v: 255 if v < 100 else 0).getbbox() is not None
    assert right.point(lambda v: 255 if v < 100 else 0).getbbox() is not None


def test_missing_font_fails_with_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rights_card.FONT_CANDIDATES, "regular", ("No Such Font", ("/nonexistent/font.ttf",)))
    monkeypatch.setattr(rights_card.shutil, "which", lambda _name: None)
    rights_card.font_path.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-dejavu-core"):
            rights_card.font_path("regular")
    finally:
        rights_card.font_path.cache_clear()


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = FastAPI()
    app.include_router(nlg.router)
    settings = Settings(locales_dir=make_locales(tmp_path))
    app.dependency_overrides[get_settings] = lambda: settings
    return TestClient(app)


def test_card_route_serves_a_png(client: TestClient) -> None:
    response = client.get("/rights-card/ar.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).format == "PNG"


def test_card_route_refuses_an_unknown_language(client: TestClient) -> None:
    response = client.get("/rights-card/xx.png")
    assert response.status_code == 404 and response.json()["code"] == "unknown_language"
