"""Rendering a message: fallback chain, fuzzy entries, placeholders, buttons, right-to-left isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.nlg.catalogs import CatalogSnapshot, CatalogStore, language_chain
from api.nlg.render import FSI, PDI, UnknownResponse, render_from_snapshot
from tests.api.nlg.catalog_files import ARABIC, FRENCH, make_locales


def snapshot_of(tmp_path: Path, catalogs: dict | None = None) -> CatalogSnapshot:
    return CatalogStore(make_locales(tmp_path, catalogs)).snapshot()


def test_language_chain_goes_darija_arabic_french_and_community_to_french() -> None:
    assert language_chain("ary") == ("ary", "ar", "fr")
    assert language_chain("wo") == ("wo", "fr")
    assert language_chain("en") == ("en", "fr")
    assert language_chain("fr") == ("fr",)
    assert language_chain("xx") == ("fr",)


def test_darija_without_its_own_text_gets_arabic_with_the_darija_note(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "ar": ARABIC,
                                      "ary": {"utter_fallback_language_note_ar": "ma kaynach b darija"}})
    rendered = render_from_snapshot(snapshot, "utter_greet", "ary")
    assert rendered.language == "ar" and rendered.is_fallback
    assert rendered.text == f"ma kaynach b darija\n\n{ARABIC['utter_greet']}"


def test_darija_falls_through_to_french_when_arabic_lacks_the_message(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "ar": ARABIC, "ary": {}})
    rendered = render_from_snapshot(snapshot, "utter_goodbye", "ary")
    assert (rendered.language, rendered.text) == ("fr", FRENCH["utter_goodbye"])


def test_community_language_gets_french_with_the_note_in_its_own_language(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "wo": {"utter_fallback_language_note": "Bataaxal bii amul wolof."}})
    rendered = render_from_snapshot(snapshot, "utter_goodbye", "wo")
    assert rendered.text == f"Bataaxal bii amul wolof.\n\n{FRENCH['utter_goodbye']}"
    assert rendered.language == "fr" and rendered.requested_language == "wo"


def test_fallback_without_a_note_in_the_persons_language_is_the_plain_french_text(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_goodbye", "ln")
    assert rendered.text == FRENCH["utter_goodbye"]


def test_page_labels_served_from_french_carry_no_note(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "wo": {"utter_fallback_language_note": "Amul wolof."}})
    assert render_from_snapshot(snapshot, "webchat.title", "wo").text == FRENCH["webchat.title"]


def test_fuzzy_entry_is_not_served_when_a_reviewed_fallback_exists(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "wo": {"utter_goodbye": ("Ba beneen yoon (draft)", True)}})
    assert render_from_snapshot(snapshot, "utter_goodbye", "wo").language == "fr"


def test_fuzzy_entry_is_served_when_nothing_reviewed_exists(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": {"utter_goodbye": ("Au revoir (brouillon)", True)},
                                      "wo": {"utter_goodbye": ("Ba beneen yoon", True)}})
    rendered = render_from_snapshot(snapshot, "utter_goodbye", "wo")
    assert (rendered.language, rendered.text) == ("wo", "Ba beneen yoon")


def test_reviewed_own_language_text_wins_over_french(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, {"fr": FRENCH, "wo": {"utter_goodbye": "Ba beneen yoon"}})
    assert render_from_snapshot(snapshot, "utter_goodbye", "wo").text == "Ba beneen yoon"


def test_placeholders_are_filled_from_the_variables(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_services_list", "fr",
                                    {"city": "Oujda", "services": "1. Centre de santé\n2. Hôpital"})
    assert rendered.text == "Services près de Oujda :\n1. Centre de santé\n2. Hôpital"
    assert rendered.missing_placeholders == ()


def test_latin_placeholder_values_in_arabic_text_are_wrapped_in_isolates(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_referral_created", "ar", {"reference": "SM-4K7Q2"})
    assert rendered.text == f"تم تسجيل طلبك: {FSI}SM-4K7Q2{PDI}."


def test_each_line_of_a_multiline_value_is_isolated_in_arabic_text(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_services_list", "ar",
                                    {"city": "Oujda", "services": "1. CHU\n2. ALCS 12"})
    assert rendered.text == f"الخدمات قرب {FSI}Oujda{PDI}:\n{FSI}1. CHU{PDI}\n{FSI}2. ALCS 12{PDI}"


def test_french_text_gets_no_isolates(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_referral_created", "fr", {"reference": "SM-1"})
    assert FSI not in rendered.text and PDI not in rendered.text


def test_a_missing_placeholder_value_is_left_out_not_shown_as_braces(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_referral_created", "fr", {})
    assert "{" not in rendered.text and rendered.missing_placeholders == ("reference",)


def test_buttons_carry_translated_titles_and_source_payloads(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_greet", "ar")
    # Button 2 has no Arabic title: it falls back to French like any message.
    assert [(b.title, b.payload) for b in rendered.buttons] == [("القائمة", "/ask_help_menu"),
                                                               ("Langue", "/change_language")]


def test_the_rights_card_response_links_the_card_image_of_the_persons_language(tmp_path: Path) -> None:
    rendered = render_from_snapshot(snapshot_of(tmp_path), "utter_rights_card", "en", {},
                                    public_base_url="https://hotline.example.org/")
    assert rendered.image is not None
    assert rendered.image.startswith("https://hotline.example.org/rights-card/en.png?v=")


def test_an_unknown_response_raises(tmp_path: Path) -> None:
    with pytest.raises(UnknownResponse):
        render_from_snapshot(snapshot_of(tmp_path), "utter_does_not_exist", "fr")
