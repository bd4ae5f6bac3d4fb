"""The one line a person gets in their own language before an answer served in French, on the real catalogs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from api.core.config import PROJECT_ROOT
from api.nlg import render
from api.nlg.catalogs import CatalogSnapshot, CatalogStore
from api.nlg.render import REQUEST_HUMAN, SPEAKER_BUTTON, SPEAKER_HINT, render_from_snapshot

COMMUNITY = ("wo", "ln", "ff", "emk", "sus", "bci")


@pytest.fixture(scope="module")
def snapshot() -> CatalogSnapshot:
    return CatalogStore(PROJECT_ROOT / "locales").snapshot()


def _note(snapshot: CatalogSnapshot, language: str) -> str:
    entry = snapshot.entry("utter_fallback_language_note", language)
    assert entry is not None
    return entry.text


@pytest.mark.parametrize("language", COMMUNITY)
def test_choosing_a_language_not_yet_reviewed_says_so_in_that_language_not_a_french_promise(
        snapshot: CatalogSnapshot, language: str) -> None:
    """Its own draft ("OK, I answer you in Wolof; some answers are still in French"), served unreviewed as the note is."""
    own = snapshot.entry("utter_language_changed", language)
    assert own is not None and own.fuzzy  # a draft: the rule below is what serves it
    rendered = render_from_snapshot(snapshot, "utter_language_changed", language)
    assert not rendered.is_fallback and rendered.text == own.text
    assert _note(snapshot, language) not in rendered.text
    assert [b.payload for b in rendered.buttons] == ["/ask_help_menu"]


def test_without_any_text_of_its_own_the_language_change_is_the_note_alone(snapshot: CatalogSnapshot) -> None:
    entries = {**snapshot.entries, "wo": {k: v for k, v in snapshot.entries["wo"].items() if k != "utter_language_changed"}}
    rendered = render_from_snapshot(replace(snapshot, entries=entries), "utter_language_changed", "wo")
    assert rendered.is_fallback and rendered.text == _note(snapshot, "wo")  # not "je vous réponds en français"


def test_other_drafts_are_not_served(snapshot: CatalogSnapshot) -> None:
    draft = snapshot.entry("utter_offer_human", "wo")
    assert draft is not None and draft.fuzzy
    rendered = render_from_snapshot(snapshot, "utter_offer_human", "wo")
    assert rendered.is_fallback and draft.text not in rendered.text


def test_a_wolof_answer_says_in_one_line_that_a_wolof_speaker_can_answer_and_offers_them(
        snapshot: CatalogSnapshot) -> None:
    asked: list[str] = []

    def on_duty(language: str) -> bool:
        asked.append(language)
        return language == "wo"

    rendered = render_from_snapshot(snapshot, "utter_rights_free_care", "wo", speaker_on_duty=on_duty)
    first_line, _, rest = rendered.text.partition("\n\n")
    hint = snapshot.entry(SPEAKER_HINT, "wo")
    assert hint is not None and first_line == f"{_note(snapshot, 'wo')} {hint.text}"
    assert "\n" not in first_line and hint.text not in rest and asked == ["wo"]
    offers = [b for b in rendered.buttons if b.payload == REQUEST_HUMAN]
    assert [b.title for b in offers] == [snapshot.entry(SPEAKER_BUTTON, "wo").text]


def test_an_existing_talk_to_a_person_button_is_retitled_not_doubled(snapshot: CatalogSnapshot) -> None:
    plain = render_from_snapshot(snapshot, "utter_help_menu", "wo")
    offered = render_from_snapshot(snapshot, "utter_help_menu", "wo", speaker_on_duty=lambda _: True)
    assert len(offered.buttons) == len(plain.buttons)
    assert [b.payload for b in offered.buttons] == [b.payload for b in plain.buttons]
    assert [b.title for b in offered.buttons if b.payload == REQUEST_HUMAN] == [
        snapshot.entry(SPEAKER_BUTTON, "wo").text]


@pytest.mark.parametrize("on_duty", [None, lambda _: False], ids=["not-offered-here", "nobody-speaks-it"])
def test_without_a_speaker_on_duty_the_line_is_the_note_alone(snapshot: CatalogSnapshot, on_duty) -> None:
    rendered = render_from_snapshot(snapshot, "utter_rights_free_care", "wo", speaker_on_duty=on_duty)
    assert rendered.text.partition("\n\n")[0] == _note(snapshot, "wo")
    assert REQUEST_HUMAN not in [b.payload for b in rendered.buttons]


def test_an_audio_clip_in_the_language_is_announced_instead(snapshot: CatalogSnapshot, monkeypatch) -> None:
    monkeypatch.setattr(render, "audio_available", lambda msgid, lang: (msgid, lang) == ("utter_goodbye", "ln"))
    rendered = render_from_snapshot(snapshot, "utter_goodbye", "ln", speaker_on_duty=lambda _: True)
    audio_hint = snapshot.resolve("utter_fallback_language_note_audio", "ln")
    assert audio_hint is not None
    assert rendered.text.partition("\n\n")[0] == f"{_note(snapshot, 'ln')} {audio_hint.text}"


def test_the_audio_hook_says_no_clip_exists_yet() -> None:
    assert render.audio_available("utter_greet", "wo") is False


@pytest.mark.parametrize("language", COMMUNITY)
def test_no_answer_served_in_french_repeats_or_contradicts_the_note(snapshot: CatalogSnapshot, language: str) -> None:
    note = _note(snapshot, language)
    for name in snapshot.specs:
        if not name.startswith("utter_") or name.startswith("utter_fallback_language_note"):
            continue
        rendered = render_from_snapshot(snapshot, name, language, {"reference": "MS-ABC234", "city": "Oujda",
                                                                   "services": "1. X", "digit": "3"},
                                        speaker_on_duty=lambda _: True)
        if not rendered.is_fallback:
            continue
        assert rendered.text.count(note) == 1, name
        assert "réponds en français" not in rendered.text, name


@pytest.mark.parametrize("name", ["utter_referral_created", "utter_referral_language_spoken", "utter_offer_human",
                                  "utter_ask_escalation_consent", "utter_escalation_declined"])
def test_the_way_to_a_person_itself_does_not_offer_a_person_again(snapshot: CatalogSnapshot, name: str) -> None:
    rendered = render_from_snapshot(snapshot, name, "wo", {"reference": "MS-ABC234"}, speaker_on_duty=lambda _: True)
    assert rendered.text.partition("\n\n")[0] == _note(snapshot, "wo")
    assert REQUEST_HUMAN not in [b.payload for b in rendered.buttons]
