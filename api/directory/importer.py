"""Import OpenStreetMap health facilities into the directory: `python -m api.directory.importer FILE`.

Reads a GeoJSON export (api/directory/extract.py: cleaned, Overpass, HOT, or `osmium export` of a
country `.osm.pbf`, see PBF_HINT), keeps what serves this population (api/directory/classify.py), and updates the directory by
OpenStreetMap id. What an editor changed (`edited_fields`) is never overwritten, and a place an
editor verified is left as it is. Places of an earlier import that are now classified out are
withdrawn; with `--withdraw-missing`, so are those absent from the file (use it with a full country
extract, not a regional one). Unless an editor verified or edited them. Prints statistics at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import utcnow
from api.core.config import get_settings
from api.db import get_sessionmaker
from api.directory.classify import Facility, classify, emergency_of
from api.directory.curated import sync_curated
from api.directory.extract import ExtractError, read_geojson
from api.directory.models import Place, apply_source_values
from api.directory.towns import TOWN_REACH_KM, Gazetteer, gazetteer

# A country extract goes through osmium-tool (Debian/Ubuntu package `osmium-tool`) in two steps.
PBF_HINT = ("osmium tags-filter morocco.osm.pbf nwr/amenity=hospital,clinic,doctors,pharmacy nwr/healthcare "
            "-o health.osm.pbf && osmium export health.osm.pbf --add-unique-id=type_id -o health.geojson")


@dataclass
class ImportStats:
    """What one import did: features read, kept by kind, dropped by reason, rows written."""

    read: int = 0
    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows whose editor-changed fields or verification the import left as they were.
    kept_editor_changes: int = 0
    withdrawn: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The statistics as the command prints them."""
        out = [f"read {self.read} features in {self.seconds:.2f} s",
               f"kept {sum(self.kept.values())}: " + ", ".join(f"{k} {n}" for k, n in self.kept.most_common()),
               f"dropped {sum(self.dropped.values())}: "
               + ", ".join(f"{k} {n}" for k, n in self.dropped.most_common()),
               f"directory: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
               f"{self.kept_editor_changes} kept as an editor left them, {self.withdrawn} withdrawn"]
        return out


def _values(facility: Facility, kind: str, towns: Gazetteer) -> dict[str, Any]:
    assert facility.lat is not None and facility.lon is not None
    town = towns.nearest(facility.lat, facility.lon, reach_km=TOWN_REACH_KM)
    return {"kind": kind, "name": facility.name or facility.name_fr or facility.name_ar or "",
            "name_fr": facility.name_fr, "name_ar": facility.name_ar, "lat": round(facility.lat, 7),
            "lon": round(facility.lon, 7), "town": town.name if town else None, "address": facility.address,
            "phone": facility.phone, "opening_hours": facility.opening_hours, "emergency": emergency_of(facility)}


def import_facilities(session: Session, facilities: Iterable[Facility | None], towns: Gazetteer,
                      withdraw_missing: bool = False, now: datetime | None = None) -> ImportStats:
    """Merge the facilities into the directory (not committed); see the module docstring."""
    started = time.perf_counter()
    now = now or utcnow()
    stats = ImportStats()
    existing = {p.key: p for p in session.scalars(select(Place).where(Place.source == "openstreetmap"))}
    seen: set[str] = set()
    dropped_keys: set[str] = set()
    for facility in facilities:
        stats.read += 1
        if facility is None:
            stats.dropped["no_osm_id"] += 1
            continue
        decision = classify(facility)
        if decision.kind is None:
            stats.dropped[decision.dropped or "unclassified"] += 1
            dropped_keys.add(facility.key)
            continue
        if facility.key in seen:
            stats.dropped["duplicate"] += 1
            continue
        seen.add(facility.key)
        stats.kept[decision.kind] += 1
        values = _values(facility, decision.kind, towns)
        place = existing.get(facility.key)
        if place is None:
            session.add(Place(key=facility.key, source="openstreetmap", topics=[], edited_fields=[],
                              verified=False, hidden=False, withdrawn=False, imported_at=now, **values))
            stats.created += 1
            continue
        place.imported_at, place.withdrawn = now, False
        changed, kept = apply_source_values(place, values)
        stats.updated += changed
        stats.unchanged += not changed
        stats.kept_editor_changes += kept
    for key, place in existing.items():
        if key in seen or place.withdrawn or place.verified or place.edited_fields:
            continue
        if key in dropped_keys or withdraw_missing:
            place.withdrawn = True
            stats.withdrawn += 1
    session.flush()
    stats.seconds = time.perf_counter() - started
    return stats


def read_extract(path: Path) -> Iterable[Facility | None]:
    """The facilities of a GeoJSON export; a `.pbf` country extract is refused with how to convert it."""
    if path.suffix == ".pbf":
        raise ExtractError(f"{path}: convert the .osm.pbf extract to GeoJSON first: {PBF_HINT}")
    return read_geojson(path)


def main(argv: list[str] | None = None) -> int:
    """Import FILE into the database named by DATABASE_URL and print the statistics."""
    parser = argparse.ArgumentParser(prog="python -m api.directory.importer", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="GeoJSON export of health facilities (Overpass, HOT, osmium export)")
    parser.add_argument("--withdraw-missing", action="store_true",
                        help="withdraw earlier places absent from this file (full extracts only)")
    args = parser.parse_args(argv)
    if not args.file.is_file():  # an unreadable file loses nothing: the directory stays as it was
        print(f"error: {args.file} does not exist", file=sys.stderr)
        return 2
    settings = get_settings()
    towns = gazetteer(settings.data_dir / "towns.yml")
    started = time.perf_counter()
    with get_sessionmaker()() as session:
        try:
            stats = import_facilities(session, read_extract(args.file), towns, args.withdraw_missing)
        except ExtractError as error:
            session.rollback()
            print(f"error: {error}", file=sys.stderr)
            return 1
        curated = sync_curated(session, settings.data_dir / "services.yml", towns)
        session.commit()
    for line in stats.lines():
        print(line)
    print(f"curated services (data/services.yml): {curated}")
    print(f"total {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
