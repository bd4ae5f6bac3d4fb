"""The directory and the console match towns with the bot's gazetteer: every spelling the bot knows."""

from __future__ import annotations

from api.core.config import PROJECT_ROOT
from api.directory.towns import TOWN_REACH_KM, read_gazetteer
from nlu.towns import gazetteer as bot_gazetteer
from nlu.towns import load_towns

TOWNS_FILE = PROJECT_ROOT / "data" / "towns.yml"


def test_the_directory_finds_a_town_in_every_spelling_the_bot_knows() -> None:
    towns = read_gazetteer(TOWNS_FILE)
    for town in load_towns(TOWNS_FILE):
        for spelling in (town.name, *town.variants):
            found = towns.find(spelling)
            assert found is not None and found.name == town.name == bot_gazetteer(TOWNS_FILE).canonical(spelling)
    for typed in ("wjda", "فوجدة", "casablnca", "tangier"):
        found = towns.find(typed)
        assert found is not None and found.name == bot_gazetteer(TOWNS_FILE).canonical(typed)


def test_a_place_far_from_every_town_gets_none() -> None:
    towns = read_gazetteer(TOWNS_FILE)
    oujda = towns.find("Oujda")
    assert oujda is not None and towns.nearest(oujda.lat, oujda.lon + 0.1, reach_km=TOWN_REACH_KM) == oujda
    assert towns.nearest(31.0, -12.0, reach_km=TOWN_REACH_KM) is None
