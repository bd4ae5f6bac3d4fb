"""Which OpenStreetMap facilities the directory keeps, as what, and why it leaves the others out."""

from __future__ import annotations

import pytest

from api.directory.classify import Facility, classify, emergency_of
from api.directory.extract import facility_from_feature, split_names


def facility(name: str | None, amenity: str = "hospital", **extra: str | None) -> Facility:
    return Facility(osm_type="node", osm_id="1", amenity=amenity, name=name, lat=34.0, lon=-6.8, **extra)


@pytest.mark.parametrize(("name", "amenity", "kind"), [
    ("Centre Hospitalier Provincial Essai", "hospital", "hospital"),
    ("CHU Essai", "hospital", "hospital"),
    ("CHR Essai", "clinic", "hospital"),
    ("Hôpital Essai", "clinic", "hospital"),
    ("مستشفى تجريبي", "hospital", "hospital"),
    ("Hôpital d'Enfants Essai", "hospital", "children_hospital"),
    ("Hôpital Psychiatrique Essai", "hospital", "psychiatric_hospital"),
    ("Centre régional d'Oncologie Essai", "hospital", "specialised_hospital"),
    ("Centre de Santé Urbain Essai", "clinic", "primary_health_centre"),
    ("Centre de sante rural Essai", "doctors", "primary_health_centre"),
    ("CSU Essai", "clinic", "primary_health_centre"),
    ("Dispensaire Essai", "hospital", "primary_health_centre"),
    ("المركز الصحي التجريبي", "clinic", "primary_health_centre"),
    ("مستوصف تجريبي", "clinic", "primary_health_centre"),
    ("Centre de santé et maison d'accouchement Essai", "clinic", "primary_health_centre"),
    ("Maison d'accouchement Essai", "clinic", "maternity"),
    ("Maternité Essai", "hospital", "maternity"),
    ("Croissant Rouge Essai", "clinic", "association"),
    ("Pharmacie Essai", "pharmacy", "pharmacy"),
    ("Pharmacie Essai", "hospital", "pharmacy"),
    ("Essai (no kind in the name)", "hospital", "hospital"),
])
def test_public_places_are_kept_with_their_kind(name: str, amenity: str, kind: str) -> None:
    assert classify(facility(name, amenity)).kind == kind


@pytest.mark.parametrize(("name", "amenity", "reason"), [
    ("Clinique Essai", "hospital", "private"),
    ("Polyclinique Essai", "clinic", "private"),
    ("Hôpital Privé Essai", "hospital", "private"),
    ("مصحة تجريبية", "clinic", "private"),
    ("Dr Essai", "doctors", "private"),
    ("Cabinet Médical Essai", "doctors", "private"),
    ("Essai", "doctors", "private_practice"),
    ("Essai", "clinic", "unclassified_clinic"),
    ("Cabinet dentaire Essai", "clinic", "dental"),
    ("Essai", "dentist", "dental"),
    ("Laboratoire d'analyses Essai", "clinic", "laboratory"),
    ("Centre de radiologie Essai", "clinic", "other_speciality"),
    ("Centre d'hémodialyse Essai", "hospital", "other_speciality"),
    ("Polyclinique CNSS Essai", "clinic", "insurance_fund"),
    ("Hôpital Militaire Essai", "hospital", "military"),
    ("Délégation de la santé Essai", "clinic", "administration"),
    ("Centre de diagnostic Essai", "hospital", "unclear_facility"),
    ("Unnamed Facility", "hospital", "unnamed"),
    (None, "hospital", "unnamed"),
])
def test_private_dental_laboratory_and_unclear_places_are_left_out_with_a_reason(
        name: str | None, amenity: str, reason: str) -> None:
    decision = classify(facility(name, amenity))
    assert (decision.kind, decision.dropped) == (None, reason)


def test_a_place_tagged_private_is_left_out_whatever_its_name() -> None:
    assert classify(facility("Centre de Santé Essai", "clinic", sector="private")).dropped == "private"


def test_a_place_without_coordinates_is_left_out() -> None:
    assert classify(Facility("node", "1", "hospital", "Hôpital Essai", None, None)).dropped == "no_location"


def test_emergency_care_comes_from_the_tag_or_an_urgences_name() -> None:
    assert emergency_of(facility("Hôpital Essai", emergency="yes")) == "yes"
    assert emergency_of(facility("Hôpital Essai", emergency="no")) == "no"
    assert emergency_of(facility("Service des Urgences Essai")) == "yes"
    assert emergency_of(facility("Hôpital Essai")) is None


def test_a_mixed_name_gives_its_french_and_arabic_parts() -> None:
    assert split_names("Centre de Santé Essai المركز الصحي التجريبي", None, None) == (
        "Centre de Santé Essai", "المركز الصحي التجريبي")
    assert split_names("Hôpital Essai", None, "مستشفى") == (None, "مستشفى")


@pytest.mark.parametrize("feature", [
    # Overpass turbo / osmtogeojson: raw tags, id at feature level, a building polygon
    {"type": "Feature", "id": "way/77", "properties": {"@id": "way/77", "amenity": "hospital", "name": "Hôpital Essai",
     "name:ar": "مستشفى تجريبي", "addr:street": "Rue Essai", "addr:housenumber": "3", "phone": "+212 5 00 00 00 00"},
     "geometry": {"type": "Polygon", "coordinates": [[[-6.0, 34.0], [-6.2, 34.0], [-6.2, 34.2], [-6.0, 34.2],
                                                       [-6.0, 34.0]]]}},
    # HOT export tool: osm_id / osm_type "ways_poly", healthcare tag
    {"type": "Feature", "properties": {"osm_id": 77, "osm_type": "ways_poly", "healthcare": "hospital",
     "name": "Hôpital Essai", "name:ar": "مستشفى تجريبي", "addr:street": "Rue Essai", "addr:housenumber": "3",
     "phone": "+212 5 00 00 00 00"},
     "geometry": {"type": "Polygon", "coordinates": [[[-6.0, 34.0], [-6.2, 34.0], [-6.2, 34.2], [-6.0, 34.2],
                                                       [-6.0, 34.0]]]}},
    # osmium export --add-unique-id=type_id of a country .osm.pbf
    {"type": "Feature", "id": "w77", "properties": {"amenity": "hospital", "name": "Hôpital Essai",
     "name:ar": "مستشفى تجريبي", "addr:street": "Rue Essai", "addr:housenumber": "3", "phone": "+212 5 00 00 00 00"},
     "geometry": {"type": "MultiPolygon", "coordinates": [[[[-6.0, 34.0], [-6.2, 34.0], [-6.2, 34.2], [-6.0, 34.2],
                                                            [-6.0, 34.0]]]]}},
])
def test_overpass_hot_and_osmium_exports_are_read_alike(feature: dict) -> None:
    found = facility_from_feature(feature)
    assert found is not None
    assert (found.key, found.amenity, found.name, found.name_ar) == ("osm:way/77", "hospital", "Hôpital Essai",
                                                                     "مستشفى تجريبي")
    assert (round(found.lat or 0, 3), round(found.lon or 0, 3)) == (34.1, -6.1)
    assert found.address == "3 Rue Essai" and found.phone == "+212 5 00 00 00 00"
    assert classify(found).kind == "hospital"


def test_a_feature_without_an_osm_id_is_not_a_facility() -> None:
    assert facility_from_feature({"type": "Feature", "properties": {"name": "x"}, "geometry": None}) is None
