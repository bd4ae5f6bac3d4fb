"""Where do I go: the four scenarios of the services directory, through the web chat of the real stack.

The stack's database holds the tests' own small extract (tests/support/osm_fixture.py, imported
before start) and the curated services of data/services.yml. Each scenario is typed in French
and in Arabic as a person would; the answers are checked against the catalogs.
"""

from __future__ import annotations

import re

import pytest

from api.directory.answer import town_name
from api.nlg.render import render_response
from tests.e2e.conftest import WebChatPerson

ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))
PLACE_LINE = re.compile(r"(\d)\. (.+) \((.+)\)[,،] ([\d.]+) (?:km|كم)")

SAYS = {
    "fr": {"berkane": "je suis à Berkane", "pregnant": "je suis enceinte, où faire le suivi ?",
           "health_centre": "où est le centre de santé le plus proche ?", "casablanca": "je suis à Casablanca",
           "stressed": "je suis stressé, je n'arrive plus à dormir", "agadir": "je suis à Agadir",
           "nador": "je suis à Nador"},
    "ar": {"berkane": "أنا في بركان", "pregnant": "أنا حامل، أين أتابع الحمل؟",
           "health_centre": "أين يوجد أقرب مركز صحي؟", "casablanca": "أنا في الدار البيضاء",
           "stressed": "أنا متوتر جدا ولا أستطيع النوم", "agadir": "أنا في أكادير", "nador": "أنا في الناظور"},
}
NAMES = {
    "fr": {"berkane_hospital": "Hôpital Provincial Essai de Berkane", "nador_hospital": "Hôpital Provincial Essai Nador"},
    "ar": {"berkane_hospital": "مستشفى إقليمي تجريبي بركان", "nador_hospital": "مستشفى إقليمي تجريبي الناظور"},
}


def plain(text: str) -> str:
    return text.translate(ISOLATES)


def texts(replies: list[dict]) -> list[str]:
    return [plain(r["text"]) for r in replies]


def rendered(name: str, language: str, **variables: str) -> str:
    if "city" in variables:  # the assistant names the town in the person's script
        variables["city"] = town_name(variables["city"], language)
    return plain(render_response(name, language, variables).text)


def listed_places(replies: list[dict], language: str, city: str) -> list[tuple[str, str, float]]:
    """(name, kind, km) of each place of the one utter_services_list answer among the replies."""
    marker = "\u0000"
    before, after = rendered("utter_services_list", language, city=city, services=marker).split(marker)
    lists = [t for t in texts(replies) if t.startswith(before) and t.endswith(after)]
    assert len(lists) == 1, texts(replies)
    places = [PLACE_LINE.fullmatch(line) for line in lists[0].splitlines()]
    return [(m.group(2), m.group(3), float(m.group(4))) for m in places if m]


def the_listing(replies: list[dict]) -> str:
    return "\n".join(t for t in texts(replies) if PLACE_LINE.search(t))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_berkane_and_pregnancy_lists_a_public_hospital_or_health_centre_in_berkane_within_10_km(
        person: WebChatPerson, language: str) -> None:
    person.say(SAYS[language]["berkane"])
    assert plain(rendered("utter_pregnancy_care", language)) in texts(person.say(SAYS[language]["pregnant"]))
    replies = person.say("/find_service")  # the "find a service" button of the pregnancy answer
    places = listed_places(replies, language, "Berkane")
    name, kind, km = places[0]
    assert name == NAMES[language]["berkane_hospital"] and km <= 10
    assert kind == rendered("directory.kind.hospital", language)
    kinds = {k for _, k, _ in places}
    assert kinds <= {rendered(f"directory.kind.{k}", language) for k in ("hospital", "primary_health_centre",
                                                                           "maternity")}
    listing = the_listing(replies)
    assert "Clinique" not in listing and "Pharmacie" not in listing  # the nearer private clinic and pharmacy
    assert "https://www.openstreetmap.org/node/9100000001" in listing
    assert rendered("directory.unverified", language) in listing
    assert rendered("directory.osm_attribution", language) in listing
    assert person.slots()["language"] == language


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_casablanca_and_the_nearest_health_centre_lists_health_centres_in_casablanca(
        person: WebChatPerson, language: str) -> None:
    assert rendered("utter_ask_city", language) in texts(person.say(SAYS[language]["health_centre"]))
    places = listed_places(person.say(SAYS[language]["casablanca"]), language, "Casablanca")
    assert len(places) >= 2 and all(km <= 5 for _, _, km in places), places
    allowed = {rendered("directory.kind.primary_health_centre", language), rendered("directory.kind.hospital", language)}
    assert {kind for _, kind, _ in places} <= allowed
    assert not any("Cabinet" in name or "Dr " in name for name, _, _ in places)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_agadir_and_mental_health_lists_nothing_beyond_the_cap_and_offers_the_hotline(
        person: WebChatPerson, language: str) -> None:
    assert rendered("utter_mental_health", language) in texts(person.say(SAYS[language]["stressed"]))
    replies = person.say(SAYS[language]["agadir"])
    answer = texts(replies)
    assert rendered("utter_services_none_nearby", language, city="Agadir", max_km="50") in answer, answer
    assert not any(PLACE_LINE.search(t) for t in answer)
    assert "loin d'Agadir" not in "\n".join(answer) and "Tiznit" not in "\n".join(answer)
    assert "/request_human" in [b["payload"] for r in replies for b in r["buttons"]]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_nador_lists_a_nador_hospital_first(person: WebChatPerson, language: str) -> None:
    places = listed_places(person.say(SAYS[language]["nador"]), language, "Nador")
    assert places[0][0] == NAMES[language]["nador_hospital"] and places[0][2] < 2
    names = " ".join(name for name, _, _ in places)
    assert "Laboratoire" not in names and "diagnostic" not in names
