"""Nearest services: the directory's data, the ordering by distance and what `action_find_services` says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.places import Gazetteer, haversine_km
from actions.services import KINDS, UNVERIFIED_MARK, ActionFindServices, directory, nearest_services
from tests.actions.conftest import ROOT, make_tracker, user_event

SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")


@pytest.fixture(autouse=True)
def default_files(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")


async def run_action(slots: dict[str, Any], history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFindServices().run(dispatcher, make_tracker(slots=slots, history=history), {})
    return dispatcher.messages, events


def test_every_service_names_its_seed_and_invents_no_contact_detail() -> None:
    raw = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    ids = [s["id"] for s in raw["services"]]
    assert len(ids) == len(set(ids))
    gazetteer = Gazetteer.from_file(ROOT / "data" / "towns.yml")
    for service in raw["services"]:
        assert SEED_FILE.match(service["source"]), service["id"]
        assert service["kind"] in KINDS
        assert service["location_precision"] == "town"
        town = gazetteer.find(service["city"])
        assert town is not None and (town.lat, town.lon) == (service["lat"], service["lon"]), service["id"]
        if not service.get("verified"):
            assert not {"address", "phone", "hours"} & set(service), service["id"]


def test_oujda_to_berkane_is_about_46_km() -> None:
    assert haversine_km(34.68, -1.91, 34.92, -2.32) == pytest.approx(45.8, abs=1.0)


def test_from_oujda_the_oujda_listening_cell_comes_first_then_berkane() -> None:
    _, services = directory()
    nearby = nearest_services(services, 34.68, -1.91, "mental_health")
    assert [(n.service.id, round(n.distance_km)) for n in nearby] == [
        ("listening-cell-oujda", 0), ("listening-cell-berkane", 46)]


def test_from_berkane_its_own_cell_comes_before_oujda() -> None:
    _, services = directory()
    nearby = nearest_services(services, 34.92, -2.32, "mental_health")
    assert [n.service.id for n in nearby] == ["listening-cell-berkane", "listening-cell-oujda"]


def test_without_a_topic_at_most_three_services_are_listed_nearest_first() -> None:
    _, services = directory()
    nearby = nearest_services(services, 35.77, -5.80, None)
    assert len(nearby) == 3
    assert [n.service.city for n in nearby] == ["Tanger", "Tanger", "Tanger"]
    assert [n.distance_km for n in nearby] == sorted(n.distance_km for n in nearby)


async def test_a_person_in_oujda_asking_about_hiv_gets_alcs_oujda_first() -> None:
    history = [user_event("hiv_sti", "où faire le test du VIH"), user_event("find_service", "où aller")]
    messages, _ = await run_action({"city": "Oujda"}, history)
    listing = messages[0]
    assert listing["response"] == "utter_services_list"
    assert listing["city"] == "Oujda"
    lines = listing["services"].splitlines()
    assert lines[0].startswith("1. Association de Lutte Contre le Sida (ALCS) — Oujda, 0 km")
    assert all(line.endswith(f" {UNVERIFIED_MARK}") for line in lines)
    assert messages[1]["response"] == "utter_services_unverified_note"


async def test_a_town_spelled_in_darija_is_understood() -> None:
    messages, _ = await run_action({"city": "wjda"}, [user_event("inform_location", "ana f wjda")])
    assert messages[0]["response"] == "utter_services_list"
    assert messages[0]["city"] == "Oujda"
    assert " — Oujda, 0 km" in messages[0]["services"].splitlines()[0]


async def test_without_a_place_the_person_is_asked_for_their_town() -> None:
    messages, events = await run_action({}, [user_event("find_service", "centre de santé proche")])
    assert [m["response"] for m in messages] == ["utter_ask_city"]
    assert events == []


async def test_a_shared_location_lists_services_from_that_point_and_remembers_the_town() -> None:
    shared = user_event("share_location", '/share_location{"latitude": 34.9, "longitude": -2.3}',
                        entities=[{"entity": "latitude", "value": 34.9}, {"entity": "longitude", "value": -2.3}])
    messages, events = await run_action({"city": "Rabat"}, [user_event("mental_health", "je dors mal"), shared])
    assert events == [SlotSet("city", "Berkane")]
    assert messages[0]["city"] == "Berkane"
    assert messages[0]["services"].splitlines()[0].startswith("1. Cellule d'écoute de Berkane")


async def test_a_town_without_a_fitting_service_says_so() -> None:
    messages, _ = await run_action({"city": "Dakhla"}, [user_event("violence_support", "j'ai été agressée"),
                                                         user_event("find_service", "où aller")])
    assert messages[0]["response"] == "utter_services_list"  # nearest violence unit, far away
    assert "Al Fârâbî" in messages[0]["services"]
    messages, _ = await run_action({"city": "Atlantis"}, [user_event("find_service", "où aller")])
    assert [m["response"] for m in messages] == ["utter_services_none", "utter_hotline_check_note"]
    assert messages[0]["city"] == "Atlantis"


def test_a_missing_gazetteer_file_gives_no_towns(tmp_path: Path) -> None:
    assert Gazetteer.from_file(tmp_path / "absent.yml").find("Oujda") is None
