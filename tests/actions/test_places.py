"""The NLU and the action server match towns with the same gazetteer, so they agree on every spelling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.config import get_settings
from actions.places import town_gazetteer
from nlu.city_resolver import CityResolver
from nlu.normalise import normalise_text
from nlu.tokenizer import NormalisingTokenizer
from nlu.towns import TOWNS_FILE, Gazetteer, gazetteer, load_towns

# Spellings people type: plain and accented Latin, Arabizi, Arabic with a proclitic, a misspelling.
TYPED = ["wjda", "OUJDA", "وجدة", "فوجدة", "tangier", "بطنجة", "dar lbida", "كازا", "casablnca", "fez", "Fes",
         "meknes", "laayoune", "kenitra", "beni mellal", "الحسيمة", "rabat"]


def resolved_by_nlu(text: str, tagged: bool = False) -> list[str]:
    """The canonical towns the NLU pipeline's resolver gives a message (`tagged`: an extractor marked it a city)."""
    extracted = [{"entity": "city", "start": 0, "end": len(text), "value": text, "extractor": "RegexEntityExtractor"}]
    message = Message(data={"text": text, "entities": extracted if tagged else []})
    tokenizer = NormalisingTokenizer(NormalisingTokenizer.get_default_config())
    message.set("text_tokens", tokenizer.tokenize(message, "text"))
    CityResolver(gazetteer()).process([message])
    return [str(e["value"]) for e in message.get("entities") if e["entity"] == "city"]


@pytest.fixture
def action_towns(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gazetteer]:
    monkeypatch.setenv("TOWNS_PATH", str(TOWNS_FILE))
    town_gazetteer.cache_clear()
    get_settings.cache_clear()
    try:
        yield town_gazetteer()
    finally:
        town_gazetteer.cache_clear()
        get_settings.cache_clear()


@pytest.mark.parametrize("written", TYPED)
def test_a_typed_town_is_the_same_town_for_the_nlu_and_the_actions(action_towns: Gazetteer, written: str) -> None:
    town = action_towns.find(written)
    assert town is not None, written
    assert gazetteer().canonical(written) == town.name
    assert resolved_by_nlu(written, tagged=True) == [town.name]


def test_every_variant_of_the_towns_file_resolves_the_same_on_both_sides(action_towns: Gazetteer) -> None:
    for town in load_towns():
        for variant in (town.name, *town.variants):
            found = action_towns.find(variant)
            assert found is not None and found.name == town.name, (variant, found)
            assert gazetteer().canonical(variant) == town.name, variant
            # A homograph ("sale", "kasa") alone is an ordinary word: only a tagged one is a town.
            if normalise_text(variant) not in {normalise_text(h) for h in town.homographs}:
                assert resolved_by_nlu(variant) == [town.name], variant


def test_the_actions_and_the_nlu_share_one_gazetteer_class() -> None:
    from actions import places
    assert places.Gazetteer is Gazetteer


def test_nearest_town_and_its_reach() -> None:
    towns = gazetteer()
    oujda = towns.find("Oujda")
    assert oujda is not None
    assert towns.nearest(oujda.lat + 0.05, oujda.lon) == oujda
    assert towns.nearest(0.0, 0.0, reach_km=25) is None


def test_a_missing_towns_file_gives_an_empty_gazetteer(tmp_path: Path) -> None:
    empty = Gazetteer.from_file(tmp_path / "absent.yml")
    assert empty.find("Oujda") is None and empty.nearest(34.0, -2.0) is None
