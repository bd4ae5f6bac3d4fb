"""A small OpenStreetMap health-facilities extract the tests write themselves (invented test places).

Same GeoJSON shape as a cleaned Overpass export (`osm_id`, `facility_type`, `name_clean`...).
Every name says "Essai" (test): none of these places exists. Around each town of the scenarios:
- Berkane: a provincial hospital (0.7 km) and a health centre, behind a nearer private clinic and pharmacy;
- Casablanca: health centres, a dispensary and a hospital, behind a private practice and a dentist;
- Nador: the provincial hospital, behind a nearer laboratory and an unclear "centre de diagnostic";
  a health centre in Beni Ansar (10 km);
- Agadir: nothing within 50 km; a hospital 56 km north (beyond the cap) and one in Tiznit (80 km).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# (osm_id, facility_type, name, name_ar, lat, lon, extra properties)
PLACES: list[tuple[str, str, str, str | None, float, float, dict[str, Any]]] = [
    ("9100000001", "hospital", "Hôpital Provincial Essai de Berkane", "مستشفى إقليمي تجريبي بركان",
     34.9250, -2.3250, {"emergency": "yes"}),
    ("9100000002", "clinic", "Centre de Santé Urbain Essai Berkane", "المركز الصحي الحضري التجريبي بركان",
     34.9300, -2.3100, {}),
    ("9100000003", "clinic", "Clinique Privée Essai Berkane", None, 34.9205, -2.3205, {}),
    ("9100000004", "pharmacy", "Pharmacie Essai Berkane", None, 34.9201, -2.3201, {}),
    ("9200000001", "clinic", "Centre de Santé Essai Derb Casablanca", "المركز الصحي التجريبي الدار البيضاء",
     33.5750, -7.5950, {}),
    ("9200000002", "doctor", "Dispensaire Essai Casablanca", None, 33.5800, -7.6000, {}),
    ("9200000003", "hospital", "Hôpital Essai Casablanca", "مستشفى تجريبي الدار البيضاء", 33.5650, -7.5850, {}),
    ("9200000004", "doctor", "Dr Essai Cabinet Médical", None, 33.5701, -7.5901, {}),
    ("9200000005", "clinic", "Cabinet dentaire Essai", None, 33.5702, -7.5902, {}),
    ("9300000001", "hospital", "Hôpital Provincial Essai Nador", "مستشفى إقليمي تجريبي الناظور",
     35.1720, -2.9320, {}),
    ("9300000002", "clinic", "Laboratoire Essai Nador", None, 35.1701, -2.9301, {}),
    ("9300000003", "hospital", "Centre de diagnostic Essai Nador", None, 35.1705, -2.9305, {}),
    ("9300000004", "clinic", "Centre de santé Essai Beni Ansar", "المركز الصحي التجريبي بني انصار",
     35.2600, -2.9300, {}),
    ("9400000001", "hospital", "Hôpital Essai loin d'Agadir", None, 30.9200, -9.6000, {}),
    ("9400000002", "hospital", "Hôpital Essai de Tiznit", None, 29.7000, -9.7300, {}),
]


def feature(osm_id: str, facility_type: str, name: str, name_ar: str | None, lat: float, lon: float,
            **extra: Any) -> dict[str, Any]:
    """One feature in the cleaned-export shape."""
    properties = {"osm_id": osm_id, "osm_type": "node", "name_clean": name, "facility_type": facility_type,
                  "sector": "unknown", "name_ar": name_ar, "name_fr": None, "operator": None, "beds": None,
                  "emergency": None, "opening_hours": None, "phone": None, "addr_city": None, "addr_region": None,
                  "region": "test"}
    properties.update(extra)
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def write_extract(path: Path, changes: dict[str, dict[str, Any]] | None = None,
                  places: list[tuple[str, str, str, str | None, float, float, dict[str, Any]]] | None = None) -> Path:
    """Write the extract (with `changes` applied to some features' properties, by OSM id) and return its path."""
    features = []
    for osm_id, kind, name, name_ar, lat, lon, extra in places if places is not None else PLACES:
        item = feature(osm_id, kind, name, name_ar, lat, lon, **extra)
        item["properties"].update((changes or {}).get(osm_id, {}))
        features.append(item)
    path.write_text(json.dumps({"type": "FeatureCollection", "name": "facilities", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path
