"""How a town and a place read in the person's language."""

from __future__ import annotations

from api.directory.answer import town_name
from api.directory.towns import Gazetteer, Town

TOWNS = Gazetteer([Town("Nador", "Oriental", 35.17, -2.93, ("nador", "nadour", "الناظور", "ناظور")),
                   Town("Figuig", "Oriental", 32.1, -1.23, ("figuig",))])


def test_arabic_readers_get_the_first_arabic_spelling_of_the_gazetteer() -> None:
    assert town_name("Nador", "ar", TOWNS) == "الناظور"
    assert town_name("nadour", "ary", TOWNS) == "الناظور"


def test_other_readers_and_unknown_or_latin_only_towns_keep_the_name() -> None:
    assert town_name("Nador", "fr", TOWNS) == "Nador"
    assert town_name("Nador", "wo", TOWNS) == "Nador"
    assert town_name("Figuig", "ar", TOWNS) == "Figuig"
    assert town_name("Zagora", "ar", TOWNS) == "Zagora"
    assert town_name("الناظور", "ar", TOWNS) == "الناظور"
