"""Places near a point: the kinds a need calls for, nearest first, never beyond the distance cap."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.directory.models import Place
from api.directory.towns import haversine_km

KM_PER_DEGREE_LAT = 111.2


@dataclass(frozen=True)
class NearbyPlace:
    """A place and how far it is from the person, in kilometres."""

    place: Place
    distance_km: float


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a square holding the circle of `km` around the point."""
    dlat = km / KM_PER_DEGREE_LAT
    dlon = km / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def fits(place: Place, kinds: frozenset[str], topic: str | None, emergency_care: bool) -> bool:
    """Whether to list `place` for a need: its kind fits, or a curated entry names the topic."""
    if emergency_care and place.emergency == "no":
        return False
    if place.kind in kinds:
        return True
    return topic is not None and place.source != "openstreetmap" and topic in (place.topics or ())


def nearby_places(session: Session, lat: float, lon: float, kinds: frozenset[str], max_km: float,
                  limit: int, topic: str | None = None, emergency_care: bool = False) -> list[NearbyPlace]:
    """The `limit` listed places fitting the need within `max_km` of the point, nearest first.

    Hidden and withdrawn places are never listed. On equal distances (to 100 m) a verified place
    comes first.
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, max_km)
    rows = session.scalars(
        select(Place).where(Place.lat.between(min_lat, max_lat), Place.lon.between(min_lon, max_lon),
                            Place.hidden.is_(False), Place.withdrawn.is_(False)))
    found = []
    for place in rows:
        if not fits(place, kinds, topic, emergency_care):
            continue
        distance = haversine_km(lat, lon, place.lat, place.lon)
        if distance <= max_km:
            found.append(NearbyPlace(place, distance))
    found.sort(key=lambda n: (round(n.distance_km, 1), not n.place.verified, n.place.id))
    return found[:limit]
