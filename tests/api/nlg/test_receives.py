"""The "what a person receives" report: text in the language, audio, Arabic for Darija, only French."""

from __future__ import annotations

import io
from pathlib import Path

from api.core.config import PROJECT_ROOT
from api.nlg import render
from api.nlg.catalogs import CatalogStore
from api.nlg.receives import received, run_report, sendable_messages
from tests.api.nlg.catalog_files import ARABIC, FRENCH, make_locales


def _rows(tmp_path: Path, catalogs: dict) -> dict:
    return {row.language: row for row in received(CatalogStore(make_locales(tmp_path, catalogs)).snapshot())}


def test_sendable_messages_leave_out_page_labels_and_the_note_lines(tmp_path: Path) -> None:
    keys = sendable_messages(CatalogStore(make_locales(tmp_path)).snapshot())
    assert "utter_goodbye" in keys and "utter_referral_created" in keys
    assert "webchat.title" not in keys and "rights_card.title" not in keys
    assert not [k for k in keys if k.startswith("utter_fallback_language_note")]


def test_a_reviewed_text_counts_as_text_and_a_draft_as_only_french(tmp_path: Path) -> None:
    rows = _rows(tmp_path, {"fr": FRENCH, "ar": ARABIC,
                            "wo": {"utter_goodbye": "Ba beneen yoon.", "utter_greet": ("draft", True),
                                   "utter_fallback_language_note": "Amul wolof."}})
    wo, ln, fr = rows["wo"], rows["ln"], rows["fr"]
    assert (wo.as_text, wo.only_in_french, wo.french_with_note) == (1, wo.messages - 1, wo.messages - 1)
    assert (ln.as_text, ln.french_with_note) == (0, 0)  # no note in Lingala: plain French
    assert fr.as_text == fr.messages and fr.only_in_french == 0


def test_darija_served_from_arabic_counts_as_arabic(tmp_path: Path) -> None:
    ary = _rows(tmp_path, {"fr": FRENCH, "ar": ARABIC, "ary": {}})["ary"]
    assert ary.in_arabic == len([k for k in ARABIC if not k.startswith(("rights_card", "webchat", "utter_fallback"))
                                 and ".button." not in k])
    assert ary.as_text == 0


def test_an_audio_clip_counts_as_audio_and_not_as_only_french(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(render, "audio_available", lambda msgid, lang: (msgid, lang) == ("utter_goodbye", "wo"))
    wo = _rows(tmp_path, {"fr": FRENCH})["wo"]
    assert (wo.as_audio, wo.only_in_french) == (1, wo.messages - 1)


def test_the_report_prints_a_row_per_language() -> None:
    out = io.StringIO()
    assert run_report(PROJECT_ROOT / "locales", out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("What a person receives")
    assert [line.split()[0] for line in lines[2:]] == ["fr", "en", "ar", "ary", "wo", "ln", "ff", "emk", "sus", "bci"]
