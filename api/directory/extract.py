"""Read OpenStreetMap health facilities from a GeoJSON export (cleaned, Overpass or HOT) into `Facility` rows.

Three shapes of properties are understood:
- a cleaned export (`osm_id`, `osm_type`, `name_clean`, `facility_type`, `name_fr`, `name_ar`, `addr_city`...);
- Overpass / osmtogeojson (`@id` or the feature `id` "node/123", raw tags `amenity`, `name:fr`, `addr:street`...);
- HOT export tool (`osm_id`, `osm_type` "nodes"/"ways_poly", raw tags);
- `osmium export --add-unique-id=type_id` of a country `.osm.pbf` (feature `id` "n123"/"w45", raw tags).
Polygons and lines are placed at the mean of their vertices (good enough to measure kilometres).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.directory.classify import Facility

# What a place is when OSM says it with `healthcare=*` rather than `amenity=*`.
HEALTHCARE_AMENITY = {"hospital": "hospital", "clinic": "clinic", "centre": "clinic", "doctor": "doctors",
                      "pharmacy": "pharmacy", "dentist": "dentist", "laboratory": "laboratory",
                      "birthing_centre": "clinic", "midwife": "clinic"}
CLEANED_TYPES = {"doctor": "doctors"}
OSM_TYPES = {"node": "node", "nodes": "node", "n": "node", "way": "way", "ways_poly": "way", "ways_line": "way",
             "w": "way", "relation": "relation", "relations": "relation", "r": "relation"}
SECTORS = {"public": "public", "government": "public", "private": "private", "ngo": "ngo", "community": "ngo",
           "charitable": "ngo", "religious": "ngo"}
ARABIC_RUN = re.compile(r"[\u0600-\u06ff][\u0600-\u06ff\s\-0-9]*[\u0600-\u06ff]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
MAX_TEXT = 300


class ExtractError(ValueError):
    """The file is not a GeoJSON FeatureCollection this importer can read."""


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text[:limit] if text else None


def _point(geometry: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """(lat, lon) of a point, or the mean vertex of a line or polygon's outer rings."""
    if not geometry:
        return None, None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    vertices: list[Any]
    if kind == "Point":
        vertices = [coords]
    elif kind in ("LineString", "MultiPoint"):
        vertices = list(coords or [])
    elif kind == "Polygon":
        vertices = list((coords or [[]])[0][:-1] or (coords or [[]])[0])
    elif kind == "MultiPolygon":
        vertices = [v for polygon in coords or [] for v in (polygon[0][:-1] if polygon else [])]
    else:
        return None, None
    try:
        lons = [float(v[0]) for v in vertices]
        lats = [float(v[1]) for v in vertices]
    except (TypeError, ValueError, IndexError):
        return None, None
    if not lats:
        return None, None
    return sum(lats) / len(lats), sum(lons) / len(lons)


OSMIUM_ID = re.compile(r"^([nwr])(\d+)$")


def _osm_identity(feature: dict[str, Any], props: dict[str, Any]) -> tuple[str, str] | None:
    """("node", "123") from whichever field the export used."""
    for ref in (props.get("@id"), feature.get("id"), props.get("id")):
        if isinstance(ref, str) and (short := OSMIUM_ID.match(ref)):  # osmium export --add-unique-id=type_id
            return OSM_TYPES[short.group(1)], short.group(2)
        if isinstance(ref, str) and "/" in ref:
            kind, _, number = ref.partition("/")
            if kind in OSM_TYPES and number.lstrip("-").isdigit():
                return OSM_TYPES[kind], number.lstrip("-")
    osm_id, osm_type = props.get("osm_id"), props.get("osm_type") or props.get("type")
    if osm_id is not None and str(osm_id).lstrip("-").isdigit():
        return OSM_TYPES.get(str(osm_type or "node").lower(), "node"), str(osm_id).lstrip("-")
    return None


def _amenity(props: dict[str, Any]) -> str:
    if props.get("facility_type"):
        value = str(props["facility_type"]).lower()
        return CLEANED_TYPES.get(value, value)
    if props.get("amenity"):
        return str(props["amenity"]).lower()
    healthcare = str(props.get("healthcare") or "").lower()
    return HEALTHCARE_AMENITY.get(healthcare, healthcare)


def _address(props: dict[str, Any]) -> str | None:
    street = _text(props.get("addr:street") or props.get("addr_street"))
    if not street:
        return None
    number = _text(props.get("addr:housenumber") or props.get("addr_housenumber"))
    city = _text(props.get("addr:city"))
    return _text(", ".join(p for p in (f"{number} {street}" if number else street, city) if p))


def split_names(name: str | None, name_fr: str | None, name_ar: str | None) -> tuple[str | None, str | None]:
    """A mixed "Centre de Santé Urbain المركز الصحي الحضري" gives its Latin and its Arabic part."""
    if not name:
        return name_fr, name_ar
    arabic = " ".join(m.group(0).strip() for m in ARABIC_RUN.finditer(name))
    if arabic and not name_ar:
        name_ar = arabic
    if arabic and not name_fr:
        latin = " ".join(ARABIC_RUN.sub(" ", name).split()).strip(" -–—/|")
        if LATIN_LETTER.search(latin):
            name_fr = latin
    return name_fr, name_ar


def facility_from_feature(feature: dict[str, Any]) -> Facility | None:
    """The facility a GeoJSON feature describes, or None when it carries no OpenStreetMap id."""
    props = feature.get("properties") or {}
    identity = _osm_identity(feature, props)
    if identity is None:
        return None
    lat, lon = _point(feature.get("geometry"))
    name = _text(props.get("name_clean") or props.get("name"))
    name_fr, name_ar = split_names(name, _text(props.get("name_fr") or props.get("name:fr")),
                                   _text(props.get("name_ar") or props.get("name:ar")))
    sector = str(props.get("sector") or props.get("operator:type") or "").lower()
    return Facility(
        osm_type=identity[0], osm_id=identity[1], amenity=_amenity(props), name=name, lat=lat, lon=lon,
        name_fr=name_fr, name_ar=name_ar, operator=_text(props.get("operator")), sector=SECTORS.get(sector),
        emergency=_text(props.get("emergency"), 8), opening_hours=_text(props.get("opening_hours"), 200),
        phone=_text(props.get("phone") or props.get("contact:phone"), 64), address=_address(props))


def read_geojson(path: Path) -> Iterator[Facility | None]:
    """Every feature of the file as a facility (None for a feature without an OSM id)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExtractError(f"{path}: not a readable GeoJSON file ({error})") from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise ExtractError(f"{path}: expected a GeoJSON FeatureCollection")
    for feature in data["features"]:
        yield facility_from_feature(feature) if isinstance(feature, dict) else None
