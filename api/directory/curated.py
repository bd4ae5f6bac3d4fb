"""The editors' curated services (data/services.yml) merged into the directory table.

The YAML stays the source of curated entries (associations, listening cells, the services the
seeds name): each entry becomes the row `yaml:<id>`. A sync writes the YAML's values except the
fields an editor changed in the console; an entry removed from the file is withdrawn. The API
syncs again whenever the file's date or size changes, so an edited file reaches the next answer.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.logging import log_event
from api.directory.classify import CURATED_KINDS
from api.directory.models import PRECISIONS, Place, apply_source_values
from api.directory.towns import Gazetteer

logger = logging.getLogger(__name__)


class CuratedFileError(ValueError):
    """data/services.yml has an entry the directory cannot take."""


def _entry_values(entry: dict[str, Any], path: Path, towns: Gazetteer) -> dict[str, Any]:
    ident = entry.get("id")
    if entry.get("kind") not in CURATED_KINDS:
        raise CuratedFileError(f"{path}: service {ident!r} has unknown kind {entry.get('kind')!r}")
    town = towns.find(str(entry.get("city") or ""))
    lat, lon = entry.get("lat"), entry.get("lon")
    precision = entry.get("location_precision", "exact")
    if lat is None or lon is None:
        if town is None:
            raise CuratedFileError(f"{path}: service {ident!r} has no coordinates and its town is unknown")
        lat, lon, precision = town.lat, town.lon, "town"
    if precision not in PRECISIONS:
        raise CuratedFileError(f"{path}: service {ident!r} has unknown location_precision {precision!r}")
    if precision == "town" and town is None:
        raise CuratedFileError(f"{path}: service {ident!r} is placed by its town, which the gazetteer does not know")
    return {"kind": entry["kind"], "name": str(entry["name"]), "name_fr": entry.get("name_fr"),
            "name_ar": entry.get("name_ar"), "lat": float(lat), "lon": float(lon), "location_precision": precision,
            "town": town.name if town else entry.get("city"), "address": entry.get("address"),
            "phone": entry.get("phone"), "opening_hours": entry.get("hours"),
            "topics": list(entry.get("topics") or []), "source_note": entry.get("source")}


def read_curated(path: Path, towns: Gazetteer) -> dict[str, dict[str, Any]]:
    """`yaml:<id>` → the row values of every entry of the file (an absent file has none)."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries: dict[str, dict[str, Any]] = {}
    for entry in raw.get("services") or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise CuratedFileError(f"{path}: every service needs an id")
        values = _entry_values(entry, path, towns)
        values["verified"] = bool(entry.get("verified", False))
        entries[f"yaml:{entry['id']}"] = values
    return entries


def sync_curated(session: Session, path: Path, towns: Gazetteer) -> str:
    """Merge the file into the table (not committed); returns a one-line summary."""
    entries = read_curated(path, towns)
    rows = {p.key: p for p in session.scalars(select(Place).where(Place.source == "curated"))}
    created = updated = withdrawn = 0
    for key, values in entries.items():
        verified = values.pop("verified")
        place = rows.get(key)
        if place is None:
            session.add(Place(key=key, source="curated", verified=verified, hidden=False, withdrawn=False,
                              edited_fields=[], **values))
            created += 1
            continue
        place.withdrawn = False
        # The YAML is the editors' own source: a verified curated entry still takes its edits.
        was_verified, place.verified = place.verified, False
        changed, _kept = apply_source_values(place, values)
        place.verified = was_verified or verified
        updated += changed
    for key, place in rows.items():
        if key not in entries and not place.withdrawn:
            place.withdrawn = True
            withdrawn += 1
    session.flush()
    return f"{len(entries)} in the file, {created} created, {updated} updated, {withdrawn} withdrawn"


class CuratedSync:
    """Syncs the curated file into the database when its date or size changed since this process last did."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, Path], tuple[int, int]] = {}

    def ensure(self, session: Session, path: Path, towns: Gazetteer) -> None:
        """Sync (and commit) if the file changed; a broken file is logged and the last good rows stay."""
        try:
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            signature = (0, 0)
        key = (str(session.get_bind().engine.url), path)  # a test process talks to several databases
        with self._lock:
            if self._seen.get(key) == signature:
                return
            try:
                summary = sync_curated(session, path, towns)
                session.commit()
            except CuratedFileError as error:
                session.rollback()
                log_event(logger, "curated_services_invalid", level=logging.ERROR, error=str(error))
            except IntegrityError:
                session.rollback()  # another API process inserted the same entries first
            else:
                log_event(logger, "curated_services_synced", summary=summary)
            self._seen[key] = signature

    def forget(self) -> None:
        """Sync again on the next request (tests that empty the table call it)."""
        with self._lock:
            self._seen.clear()


curated_sync = CuratedSync()
