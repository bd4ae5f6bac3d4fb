"""The directory over HTTP: the bot's look-up (service token) and the console's search, editing and sending."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.cases.models import AuditEvent, Case, CaseMessage, Referral
from api.core.config import PROJECT_ROOT, get_settings
from api.directory.extract import read_geojson
from api.directory.importer import import_facilities
from api.directory.models import Place
from api.directory.towns import read_gazetteer
from api.outbox.models import OutboundMessage
from tests.api.cases.fixtures import SERVICE_TOKEN, Seeded, add_operator, create_case, login
from tests.support.osm_fixture import write_extract

TOWNS = read_gazetteer(PROJECT_ROOT / "data" / "towns.yml")
BERKANE, AGADIR, NADOR, CASABLANCA = (34.92, -2.32), (30.42, -9.60), (35.17, -2.93), (33.57, -7.59)
PREGNANCY = ["maternity", "primary_health_centre", "hospital"]
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture
def imported(factory: sessionmaker[Session], tmp_path: Path) -> sessionmaker[Session]:
    with factory() as session:
        import_facilities(session, read_geojson(write_extract(tmp_path / "extract.geojson")), TOWNS)
        session.commit()
    return factory


def nearby(client: TestClient, point: tuple[float, float], kinds: list[str], **params: str) -> dict:
    response = client.get("/api/v1/directory/nearby", headers=SERVICE,
                          params={"lat": point[0], "lon": point[1], "kind": kinds, **params})
    assert response.status_code == 200, response.text
    return response.json()


def place_id(factory: sessionmaker[Session], osm_id: str) -> int:
    with factory() as session:
        return session.scalars(select(Place.id).where(Place.key == f"osm:node/{osm_id}")).one()


def test_the_look_up_needs_the_service_token(client: TestClient, imported: sessionmaker[Session]) -> None:
    response = client.get("/api/v1/directory/nearby", params={"lat": 34.9, "lon": -2.3})
    assert response.status_code == 401 and response.json()["code"] == "invalid_service_token"


def test_berkane_pregnancy_lists_the_public_hospital_first_not_the_private_clinic(
        client: TestClient, imported: sessionmaker[Session]) -> None:
    body = nearby(client, BERKANE, PREGNANCY, topic="pregnancy_care", language="fr")
    names = [p["name"] for p in body["places"]]
    assert names[:2] == ["Hôpital Provincial Essai de Berkane", "Centre de Santé Urbain Essai Berkane"]
    assert body["places"][0]["distance_km"] < 10 and body["places"][0]["kind"] == "hospital"
    assert "Clinique" not in " ".join(names) and "Pharmacie" not in " ".join(names)
    text = body["text"]
    assert text.startswith("1. Hôpital Provincial Essai de Berkane (hôpital), 0.7 km\n")
    assert "https://www.openstreetmap.org/node/9100000001" in text
    assert text.count("Non vérifié : vérifiez avec la permanence.") == len(body["places"])
    assert text.endswith("Lieux : © OpenStreetMap contributors")


def test_the_listing_comes_in_arabic_with_arabic_names(client: TestClient, imported: sessionmaker[Session]) -> None:
    text = nearby(client, NADOR, ["hospital"], language="ar")["text"]
    assert "مستشفى إقليمي تجريبي الناظور" in text and "غير مؤكد" in text and "© OpenStreetMap contributors" in text


def test_nador_lists_its_hospital_first_not_the_laboratory_or_the_diagnostic_centre(
        client: TestClient, imported: sessionmaker[Session]) -> None:
    body = nearby(client, NADOR, ["primary_health_centre", "hospital", "maternity", "association"])
    assert body["places"][0]["name"] == "Hôpital Provincial Essai Nador"
    assert [p["name"] for p in body["places"]][1] == "Centre de santé Essai Beni Ansar"


def test_nothing_is_listed_beyond_the_cap_and_the_cap_is_configurable(
        client: TestClient, imported: sessionmaker[Session]) -> None:
    body = nearby(client, AGADIR, ["hospital", "primary_health_centre", "listening_cell"], topic="mental_health")
    assert (body["places"], body["text"], body["max_km"]) == ([], "", 50.0)
    os.environ["DIRECTORY_MAX_KM"] = "60"
    get_settings.cache_clear()
    try:
        wider = nearby(client, AGADIR, ["hospital"])
    finally:
        del os.environ["DIRECTORY_MAX_KM"]
        get_settings.cache_clear()
    assert [p["name"] for p in wider["places"]] == ["Hôpital Essai loin d'Agadir"] and wider["max_km"] == 60


def test_curated_services_are_listed_for_the_topics_they_name(client: TestClient,
                                                              imported: sessionmaker[Session]) -> None:
    body = nearby(client, (34.68, -1.91), ["association"], topic="care_refused")
    assert "Maroc Solidarité Médico-Sociale (MS2)" in [p["name"] for p in body["places"]]
    assert all(p["source"] == "curated" for p in body["places"])
    assert "OpenStreetMap contributors" not in body["text"]


def test_a_place_known_only_by_its_town_is_said_to_be_in_that_town_with_no_pin_and_no_distance_within_it(
        client: TestClient, imported: sessionmaker[Session]) -> None:
    # The seeds name MS2 in Oujda with no address: data/services.yml places it at the town centre.
    in_town = nearby(client, (34.68, -1.91), ["association"], topic="care_refused")
    ms2 = in_town["text"].split("\n")[0]
    assert ms2.endswith("Maroc Solidarité Médico-Sociale (MS2) (association), à Oujda"), ms2
    assert " km" not in in_town["text"] and "mlat=" not in in_town["text"]
    assert "Adresse exacte pas encore connue." in in_town["text"]
    # From Berkane, about 46 km away, the distance is the town's; in Arabic, the town in Arabic script.
    away = re.sub("[\u2068\u2069]", "", nearby(client, BERKANE, ["association"], topic="care_refused",
                                                 language="ar")["text"])  # without the bidi isolates
    line = next(line for line in away.split("\n") if "MS2" in line)
    assert line.endswith("، في وجدة، على بعد حوالي 46 كم"), line
    assert "العنوان الدقيق غير معروف بعد." in away and "mlat=" not in away


def test_an_editor_verifies_a_place_and_the_next_answer_shows_it(
        client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    with imported() as session:
        add_operator(session, "editor@example.org", None, "editor")
        session.commit()
    hospital = place_id(imported, "9100000001")
    login(client, "editor@example.org")
    response = client.patch(f"/api/v1/directory/places/{hospital}", json={
        "phone": "0536 00 00 00", "opening_hours": "24/7", "receives_migrants": True, "verified": True})
    assert response.status_code == 200, response.text
    assert set(response.json()["edited_fields"]) == {"phone", "opening_hours", "receives_migrants"}
    text = nearby(client, BERKANE, PREGNANCY)["text"]
    first = text[:text.index("\n2. ")]
    assert "Téléphone : 0536 00 00 00" in first and "Horaires : 24/7" in first
    assert "Accueille les personnes migrantes" in first and "Non vérifié" not in first
    with imported() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "directory_place_edited")).one()
        assert audit.details["place_id"] == hospital and "0536" not in str(audit.details)


def test_a_hidden_place_is_never_listed(client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    hospital = place_id(imported, "9300000001")
    login(client, "sup.a@example.org")
    assert client.patch(f"/api/v1/directory/places/{hospital}", json={"hidden": True}).status_code == 200
    assert "Hôpital Provincial Essai Nador" not in [p["name"] for p in nearby(client, NADOR, ["hospital"])["places"]]


def test_an_operator_reads_the_directory_but_cannot_change_it(
        client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    login(client, "op.a@example.org")
    listing = client.get("/api/v1/directory/places", params={"town": "Casablanca"}).json()
    names = [p["name"] for p in listing["places"]]
    assert {"Centre de Santé Essai Derb Casablanca", "Fondation Orient Occident (FOO)"} <= set(names)
    distances = [p["distance_km"] for p in listing["places"]]
    assert distances == sorted(distances) and max(distances) <= 30
    assert all(p["kind"] != "pharmacy" for p in listing["places"])
    assert client.get("/api/v1/directory/places", params={"kind": "pharmacy"}).json()["total"] == 1
    hospital = place_id(imported, "9200000003")
    response = client.patch(f"/api/v1/directory/places/{hospital}", json={"verified": True})
    assert response.status_code == 403 and response.json()["code"] == "role_required"


def test_an_editor_adds_an_association_service_that_the_bot_then_lists(
        client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    login(client, "admin.a@example.org")
    response = client.post("/api/v1/directory/places", json={
        "name": "Association Essai d'accueil", "kind": "association", "town": "Agadir", "phone": "0528 00 00 00",
        "topics": ["mental_health"], "verified": True})
    assert response.status_code == 201, response.text
    body = nearby(client, AGADIR, ["listening_cell"], topic="mental_health")
    assert [p["name"] for p in body["places"]] == ["Association Essai d'accueil"]
    assert "0528 00 00 00" in body["text"]
    assert client.post("/api/v1/directory/places", json={"name": "x", "town": "Atlantis"}).json()["code"] == \
        "unknown_town"
    assert response.json()["location_precision"] == "town" and ", à Agadir" in body["text"]
    placed = client.post("/api/v1/directory/places", json={
        "name": "Permanence Essai", "kind": "association", "town": "Agadir", "lat": 30.4301, "lon": -9.5902,
        "topics": ["mental_health"]})
    assert placed.status_code == 201 and placed.json()["location_precision"] == "exact"
    text = nearby(client, AGADIR, ["listening_cell"], topic="mental_health")["text"]
    assert "Permanence Essai (association), 1.5 km\n" in text and "mlat=30.43010" in text


def test_an_editor_sees_no_case(client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    case = create_case(client)
    with imported() as session:
        add_operator(session, "editor.a@example.org", seeded.assoc_a, "editor")
        session.commit()
    login(client, "editor.a@example.org")
    assert client.get("/api/v1/cases").json() == []
    assert client.get(f"/api/v1/cases/{case['case_id']}").status_code == 404
    assert client.post("/api/v1/cases/claim-next").status_code == 204


def test_an_operator_sends_a_place_through_the_outbox_and_it_is_recorded_as_a_referral(
        client: TestClient, imported: sessionmaker[Session], seeded: Seeded) -> None:
    case = create_case(client, city="Berkane", language="ar")
    login(client, "op.a@example.org")
    assert client.post(f"/api/v1/cases/{case['case_id']}/claim").status_code == 200
    hospital = place_id(imported, "9100000001")
    response = client.post(f"/api/v1/cases/{case['case_id']}/send-place", json={"place_id": hospital})
    assert response.status_code == 201, response.text
    text = response.json()["text"]
    assert "مستشفى إقليمي تجريبي بركان" in text and "openstreetmap.org/node/9100000001" in text
    with imported() as session:
        referral = session.scalars(select(Referral).where(Referral.case_id == case["case_id"])).one()
        assert (referral.service_id, referral.service_kind, referral.city) == (
            "osm:node/9100000001", "hospital", "Berkane")
        assert session.scalars(select(CaseMessage).where(CaseMessage.case_id == case["case_id"],
                                                         CaseMessage.direction == "out")).all()[-1].text == text
        outbound = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()
        assert outbound is not None and outbound.payload["text"] == text
        assert outbound.conversation_id == session.get(Case, case["case_id"]).conversation_id  # type: ignore[union-attr]
    nearby(client, (34.68, -1.91), ["association"])  # the curated file is synced on a look-up
    with imported() as session:
        ms2 = session.scalars(select(Place.id).where(Place.key == "yaml:ms2-oujda")).one()
    by_town = re.sub("[\u2068\u2069]", "", client.post(f"/api/v1/cases/{case['case_id']}/send-place",
                                                         json={"place_id": ms2}).json()["text"])
    assert by_town.split("\n")[1:3] == ["Maroc Solidarité Médico-Sociale (MS2) (جمعية)، في وجدة",
                                       "العنوان الدقيق غير معروف بعد."]
    assert "openstreetmap" not in by_town
    missing = client.post(f"/api/v1/cases/{case['case_id']}/send-place", json={"place_id": 999999})
    assert missing.status_code == 404 and missing.json()["code"] == "place_not_found"
