"""`action_find_services`: which kinds of place each need asks for, where from, and what is said.

The backend's directory is faked at its HTTP contract (`GET /api/v1/directory/nearby`, service
token); the real pairing is tested end to end (tests/e2e/test_directory.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import pytest
from aiohttp import web
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.places import Gazetteer, haversine_km
from actions.services import ActionFindServices
from tests.actions.conftest import ROOT, SERVICE_TOKEN, make_tracker, user_event
from tests.support.local_http import serving


@dataclass
class FakeDirectory:
    """Answers like the backend; records every query it got."""

    places: int = 2
    status: int = 200
    queries: list[dict[str, Any]] = field(default_factory=list)
    # The client's address and port of each request: one port, one reused connection.
    peers: list[Any] = field(default_factory=list)

    async def nearby(self, request: web.Request) -> web.Response:
        self.peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        if request.headers.get("Authorization") != f"Bearer {SERVICE_TOKEN}":
            return web.json_response({"code": "invalid_service_token"}, status=401)
        query = {key: request.query.getall(key) for key in request.query}
        self.queries.append(query)
        if self.status != 200:
            return web.json_response({"code": "boom"}, status=self.status)
        places = [{"id": n, "name": f"place {n}", "kind": "hospital", "distance_km": n, "address": None,
                   "phone": None, "opening_hours": None, "verified": False, "source": "openstreetmap",
                   "map_url": f"https://www.openstreetmap.org/node/{n}"} for n in range(1, self.places + 1)]
        text = "\n".join(f"{p['id']}. {p['name']} [{query['language'][0]}]" for p in places)
        return web.json_response({"max_km": 50.0, "language": query["language"][0], "places": places,
                                  "text": text})


@pytest.fixture
async def fake_directory(settings_env: Any) -> AsyncIterator[FakeDirectory]:
    fake = FakeDirectory()
    app = web.Application()
    app.router.add_get("/api/v1/directory/nearby", fake.nearby)
    async with serving(app) as url:
        settings_env(url)
        yield fake


async def run_action(slots: dict[str, Any], history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFindServices().run(dispatcher, make_tracker(slots=slots, history=history), {})
    return dispatcher.messages, events


def test_oujda_to_berkane_is_about_46_km() -> None:
    assert haversine_km(34.68, -1.91, 34.92, -2.32) == pytest.approx(45.8, abs=1.0)


async def test_pregnancy_asks_for_maternities_health_centres_and_hospitals_from_the_town(
        fake_directory: FakeDirectory) -> None:
    history = [user_event("pregnancy_care", "je suis enceinte"), user_event("find_service", "/find_service")]
    messages, _ = await run_action({"city": "Berkane", "language": "fr"}, history)
    [query] = fake_directory.queries
    assert sorted(query["kind"]) == ["hospital", "maternity", "primary_health_centre"]
    assert query["topic"] == ["pregnancy_care"]
    town = Gazetteer.from_file(ROOT / "data" / "towns.yml").find("Berkane")
    assert town is not None and (float(query["lat"][0]), float(query["lon"][0])) == (town.lat, town.lon)
    assert [m["response"] for m in messages] == ["utter_services_list"]
    assert messages[0]["city"] == "Berkane"
    assert messages[0]["services"] == "1. place 1 [fr]\n2. place 2 [fr]"


async def test_directory_queries_share_one_connection_to_the_backend(fake_directory: FakeDirectory) -> None:
    # A client per query cost the action server most of its CPU per turn (TLS setup, a new connection).
    for _ in range(3):
        await run_action({"city": "Oujda", "language": "fr"}, [user_event("find_service", "où aller")])
    assert len(fake_directory.queries) == 3
    assert len(set(fake_directory.peers)) == 1, fake_directory.peers


@pytest.mark.parametrize(("intent", "kinds"), [
    ("child_vaccination", ["primary_health_centre"]),
    ("hiv_sti", ["hiv_testing", "primary_health_centre"]),
    ("tuberculosis", ["primary_health_centre"]),
    ("care_refused", ["association"]),
    ("mental_health", ["hospital", "listening_cell", "primary_health_centre", "psychiatric_hospital"]),
])
async def test_each_need_asks_for_the_kinds_that_serve_it(fake_directory: FakeDirectory, intent: str,
                                                          kinds: list[str]) -> None:
    await run_action({"city": "Oujda"}, [user_event(intent, "..."), user_event("find_service", "où aller")])
    assert sorted(fake_directory.queries[0]["kind"]) == kinds
    assert "pharmacy" not in fake_directory.queries[0]["kind"]


async def test_an_emergency_asks_for_hospitals_with_emergency_care(fake_directory: FakeDirectory) -> None:
    await run_action({"city": "Oujda"}, [user_event("emergency", "mon ami ne respire plus"),
                                         user_event("find_service", "où aller")])
    assert sorted(fake_directory.queries[0]["kind"]) == ["children_hospital", "hospital"]
    assert fake_directory.queries[0]["emergency_care"] == ["true"]


async def test_a_named_kind_of_place_wins_and_pharmacies_come_only_when_asked(fake_directory: FakeDirectory) -> None:
    await run_action({"city": "Casablanca"}, [user_event("find_service", "où est le centre de santé le plus proche ?"),
                                              user_event("inform_location", "je suis à Casablanca")])
    await run_action({"city": "Casablanca"}, [user_event("find_service", "أين توجد أقرب صيدلية؟")])
    await run_action({"city": "Casablanca"}, [user_event("find_service", "où aller")])
    assert [q["kind"] for q in fake_directory.queries[:2]] == [["hospital", "primary_health_centre"], ["pharmacy"]]
    assert "pharmacy" not in fake_directory.queries[2]["kind"]


async def test_the_listing_is_asked_in_the_conversation_language(fake_directory: FakeDirectory) -> None:
    messages, _ = await run_action({"city": "Nador", "language": "ar"}, [user_event("find_service", "مستشفى")])
    assert fake_directory.queries[0]["language"] == ["ar"]
    assert messages[0]["services"].endswith("[ar]")


async def test_nothing_within_the_cap_is_said_honestly_with_the_cap(fake_directory: FakeDirectory) -> None:
    fake_directory.places = 0
    messages, _ = await run_action({"city": "Agadir"}, [user_event("mental_health", "je dors mal"),
                                                        user_event("find_service", "où aller")])
    assert messages == [{**messages[0], "response": "utter_services_none_nearby", "city": "Agadir", "max_km": "50"}]


@pytest.mark.parametrize("status", [500, 503, 401])
async def test_a_backend_that_fails_gets_an_honest_answer_with_the_hotline(fake_directory: FakeDirectory,
                                                                            status: int) -> None:
    fake_directory.status = status
    messages, _ = await run_action({"city": "Oujda"}, [user_event("find_service", "où aller")])
    assert [m["response"] for m in messages] == ["utter_services_unavailable"]


async def test_a_backend_that_does_not_listen_gets_the_same_answer(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    messages, _ = await run_action({"city": "Oujda"}, [user_event("find_service", "où aller")])
    assert [m["response"] for m in messages] == ["utter_services_unavailable"]


async def test_a_town_spelled_in_darija_is_understood(fake_directory: FakeDirectory) -> None:
    messages, _ = await run_action({"city": "wjda"}, [user_event("inform_location", "ana f wjda")])
    assert messages[0]["response"] == "utter_services_list" and messages[0]["city"] == "Oujda"


async def test_without_a_place_the_person_is_asked_for_their_town(fake_directory: FakeDirectory) -> None:
    messages, events = await run_action({}, [user_event("find_service", "centre de santé proche")])
    assert [m["response"] for m in messages] == ["utter_ask_city"]
    assert events == [] and fake_directory.queries == []


async def test_a_town_the_gazetteer_does_not_know_is_not_searched(fake_directory: FakeDirectory) -> None:
    messages, _ = await run_action({"city": "Atlantis"}, [user_event("find_service", "où aller")])
    assert [(m["response"], m["city"]) for m in messages] == [("utter_services_none", "Atlantis")]
    assert fake_directory.queries == []


async def test_a_shared_location_is_searched_from_that_point_and_remembers_the_town(
        fake_directory: FakeDirectory) -> None:
    shared = user_event("share_location", '/share_location{"latitude": 35.17, "longitude": -2.93}',
                        entities=[{"entity": "latitude", "value": 35.17}, {"entity": "longitude", "value": -2.93}])
    messages, events = await run_action({"city": "Rabat"}, [user_event("mental_health", "je dors mal"), shared])
    assert events == [SlotSet("city", "Nador")]
    assert (fake_directory.queries[0]["lat"], fake_directory.queries[0]["lon"]) == (["35.170000"], ["-2.930000"])
    assert messages[0]["city"] == "Nador"


@pytest.mark.parametrize("latitude, longitude", [(999, -2.93), (35.17, -181), ("nan", -2.93), ("inf", 0), ("x", 0)])
async def test_a_location_off_the_globe_is_not_searched_and_the_town_is_asked(
        fake_directory: FakeDirectory, latitude: Any, longitude: Any) -> None:
    shared = user_event("share_location", "/share_location", entities=[
        {"entity": "latitude", "value": latitude}, {"entity": "longitude", "value": longitude}])
    messages, events = await run_action({}, [shared])
    assert [m["response"] for m in messages] == ["utter_ask_city"]
    assert events == [] and fake_directory.queries == []


def test_a_missing_gazetteer_file_gives_no_towns(tmp_path: Any) -> None:
    assert Gazetteer.from_file(tmp_path / "absent.yml").find("Oujda") is None
