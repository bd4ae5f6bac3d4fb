"""The importer on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): what it keeps, and
that a newer extract never overwrites what an editor verified or edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import PROJECT_ROOT
from api.directory.curated import sync_curated
from api.directory.extract import ExtractError, read_geojson
from api.directory.importer import import_facilities, main
from api.directory.models import Place
from api.directory.towns import read_gazetteer
from tests.support.osm_fixture import write_extract

TOWNS = read_gazetteer(PROJECT_ROOT / "data" / "towns.yml")


def run_import(factory: sessionmaker[Session], path: Path, **options: bool):  # type: ignore[no-untyped-def]
    with factory() as session:
        stats = import_facilities(session, read_geojson(path), TOWNS, **options)
        session.commit()
    return stats


def place(session: Session, osm_id: str) -> Place:
    return session.scalars(select(Place).where(Place.key == f"osm:node/{osm_id}")).one()


def test_the_fixture_extract_keeps_public_places_and_counts_the_rest(factory: sessionmaker[Session],
                                                                     tmp_path: Path) -> None:
    stats = run_import(factory, write_extract(tmp_path / "extract.geojson"))
    assert stats.read == 15
    assert dict(stats.kept) == {"hospital": 5, "primary_health_centre": 4, "pharmacy": 1}
    assert dict(stats.dropped) == {"private": 2, "dental": 1, "laboratory": 1, "unclear_facility": 1}
    assert stats.created == 10
    with factory() as session:
        berkane = place(session, "9100000001")
        assert (berkane.kind, berkane.town, berkane.source, berkane.verified) == (
            "hospital", "Berkane", "openstreetmap", False)
        assert berkane.name_ar == "مستشفى إقليمي تجريبي بركان" and berkane.emergency == "yes"
        assert session.scalars(select(Place).where(Place.key == "osm:node/9100000003")).first() is None


def test_a_newer_extract_updates_by_osm_id_but_keeps_what_an_editor_verified_or_edited(
        factory: sessionmaker[Session], tmp_path: Path) -> None:
    run_import(factory, write_extract(tmp_path / "first.geojson"))
    with factory() as session:
        verified = place(session, "9100000001")
        verified.phone, verified.verified, verified.edited_fields = "0500000001", True, ["phone"]
        edited = place(session, "9300000001")
        edited.opening_hours, edited.edited_fields = "Mo-Fr 08:00-16:00", ["opening_hours"]
        session.commit()
    newer = write_extract(tmp_path / "newer.geojson", changes={
        "9100000001": {"name_clean": "Hôpital Essai renommé", "phone": "0599999999"},
        "9300000001": {"opening_hours": "24/7", "name_clean": "Hôpital Provincial Essai Nador (nouveau nom)"},
        "9200000001": {"phone": "0522000000"},
        "9300000004": {"name_clean": "Clinique privée Essai Beni Ansar"},
    })
    stats = run_import(factory, newer)
    assert stats.created == 0 and stats.kept_editor_changes == 2 and stats.withdrawn == 1
    with factory() as session:
        verified = place(session, "9100000001")
        assert (verified.name, verified.phone, verified.verified) == (
            "Hôpital Provincial Essai de Berkane", "0500000001", True)
        edited = place(session, "9300000001")
        assert edited.opening_hours == "Mo-Fr 08:00-16:00"  # the editor's hours stay
        assert edited.name == "Hôpital Provincial Essai Nador (nouveau nom)"  # what the editor left is updated
        assert place(session, "9200000001").phone == "0522000000"
        assert place(session, "9300000004").withdrawn  # now classified private: no longer listed


def test_places_missing_from_a_full_extract_are_withdrawn_only_when_asked(factory: sessionmaker[Session],
                                                                          tmp_path: Path) -> None:
    run_import(factory, write_extract(tmp_path / "first.geojson"))
    partial = write_extract(tmp_path / "partial.geojson", places=[])
    assert run_import(factory, partial).withdrawn == 0
    with factory() as session:
        place(session, "9200000003").verified = True
        session.commit()
    assert run_import(factory, partial, withdraw_missing=True).withdrawn == 9  # all but the verified one
    with factory() as session:
        assert not place(session, "9200000003").withdrawn


def test_the_curated_services_are_merged_and_keep_an_editors_changes(factory: sessionmaker[Session],
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "services.yml"
    path.write_text("services:\n  - {id: essai-a, name: Association Essai, kind: association, city: Oujda,"
                    " topics: [care_refused], source: test}\n  - {id: essai-b, name: Cellule Essai,"
                    " kind: listening_cell, city: Berkane}\n", encoding="utf-8")
    with factory() as session:
        assert sync_curated(session, path, TOWNS).startswith("2 in the file, 2 created")
        row = session.scalars(select(Place).where(Place.key == "yaml:essai-a")).one()
        assert (row.town, row.lat, row.topics, row.source) == ("Oujda", 34.68, ["care_refused"], "curated")
        row.phone, row.edited_fields = "0536000000", ["phone"]
        session.commit()
    path.write_text("services:\n  - {id: essai-a, name: Association Essai (renamed), kind: association,"
                    " city: Oujda, phone: '0000'}\n", encoding="utf-8")
    with factory() as session:
        assert sync_curated(session, path, TOWNS).endswith("1 withdrawn")
        session.commit()
        row = session.scalars(select(Place).where(Place.key == "yaml:essai-a")).one()
        assert (row.name, row.phone) == ("Association Essai (renamed)", "0536000000")
        assert session.scalars(select(Place).where(Place.key == "yaml:essai-b")).one().withdrawn


def test_a_curated_service_is_located_by_its_town_unless_given_coordinates(tmp_path: Path) -> None:
    from api.directory.curated import CuratedFileError, read_curated

    path = tmp_path / "services.yml"
    path.write_text("services:\n"
                    "  - {id: by-town, name: A, kind: association, city: Oujda}\n"
                    "  - {id: said-town, name: B, kind: association, city: Oujda, lat: 34.68, lon: -1.91,"
                    " location_precision: town}\n"
                    "  - {id: placed, name: C, kind: association, city: Oujda, lat: 34.6812, lon: -1.9076}\n",
                    encoding="utf-8")
    entries = read_curated(path, TOWNS)
    assert {key: e["location_precision"] for key, e in entries.items()} == {
        "yaml:by-town": "town", "yaml:said-town": "town", "yaml:placed": "exact"}
    assert (entries["yaml:by-town"]["lat"], entries["yaml:by-town"]["lon"]) == (34.68, -1.91)
    for bad in ("{id: x, name: X, kind: association, city: Oujda, lat: 34.7, lon: -1.9, location_precision: street}",
                "{id: x, name: X, kind: association, city: Atlantis, lat: 34.7, lon: -1.9, location_precision: town}"):
        path.write_text(f"services:\n  - {bad}\n", encoding="utf-8")
        with pytest.raises(CuratedFileError, match="'x'"):
            read_curated(path, TOWNS)


def test_the_projects_curated_file_loads() -> None:
    from api.directory.curated import read_curated

    entries = read_curated(PROJECT_ROOT / "data" / "services.yml", TOWNS)
    assert len(entries) >= 17 and all(not e["verified"] for e in entries.values())
    # The seeds give no service's own position: every one is placed at its town's centre, and says so.
    assert {e["location_precision"] for e in entries.values()} == {"town"}


def test_a_file_that_is_not_geojson_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(ExtractError, match="FeatureCollection"):
        list(read_geojson(bad))


def test_the_command_prints_the_statistics(factory: sessionmaker[Session], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(write_extract(tmp_path / "extract.geojson"))]) == 0
    out = capsys.readouterr().out
    assert "kept 10: hospital 5, primary_health_centre 4, pharmacy 1" in out
    assert "dropped 5: private 2" in out and "curated services (data/services.yml): 17 in the file" in out
    assert main([str(tmp_path / "absent.geojson")]) == 2
    pbf = tmp_path / "morocco.osm.pbf"
    pbf.write_bytes(b"\x00")
    assert main([str(pbf)]) == 1 and "osmium export" in capsys.readouterr().err


def test_every_curated_service_names_its_seed_and_invents_no_contact_detail() -> None:
    import re

    import yaml

    raw = yaml.safe_load((PROJECT_ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    ids = [s["id"] for s in raw["services"]]
    assert len(ids) == len(set(ids))
    for service in raw["services"]:
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", service["source"]), service["id"]
        town = TOWNS.find(service["city"])
        assert town is not None and (town.lat, town.lon) == (service["lat"], service["lon"]), service["id"]
        if not service.get("verified"):
            assert not {"address", "phone", "hours"} & set(service), service["id"]


def test_the_migration_marks_the_services_placed_at_a_town_centre(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from tests.support.app_db import migrate

    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate(url, "0015_helpful_question")
    engine = create_engine(url)
    columns = ("key, source, kind, name, lat, lon, town, topics, verified, hidden, withdrawn, edited_fields, "
               "created_at, updated_at")
    rows = [("console:a", "console", 34.68, -1.91, "Oujda"), ("console:b", "console", 34.6812, -1.9076, "Oujda"),
            ("osm:node/1", "openstreetmap", 34.68, -1.91, "Oujda"), ("yaml:c", "curated", 34.92, -2.32, "Berkane")]
    with engine.begin() as connection:
        for key, source, lat, lon, town in rows:
            connection.execute(text(f"INSERT INTO directory_place ({columns}) VALUES (:key, :source, 'association', "
                                    "'x', :lat, :lon, :town, '[]', 0, 0, 0, '[]', '2026-12-01', '2026-12-01')"),
                               {"key": key, "source": source, "lat": lat, "lon": lon, "town": town})
    migrate(url)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT key, location_precision FROM directory_place")).all())
    engine.dispose()
    # An OpenStreetMap place is where it is mapped, even at a town's centre.
    assert found == {"console:a": "town", "console:b": "exact", "osm:node/1": "exact", "yaml:c": "town"}
