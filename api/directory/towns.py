"""The town gazetteer (data/towns.yml) on the app side, and great-circle distances."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

EARTH_RADIUS_KM = 6371.0088
# A place farther than this from every town centre of the gazetteer gets no town.
TOWN_REACH_KM = 25.0


@dataclass(frozen=True)
class Town:
    """A town centre and the spellings people use for it."""

    name: str
    region: str
    lat: float
    lon: float
    variants: tuple[str, ...]


def fold(text: str) -> str:
    """Lowercase without Latin accents, so `Fès`, `fes` and `FES` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class Gazetteer:
    """Towns by any spelling, and the town nearest to a point."""

    def __init__(self, towns: list[Town]) -> None:
        self.towns = towns
        self._by_spelling: dict[str, Town] = {}
        for town in towns:
            for spelling in (town.name, *town.variants):
                self._by_spelling.setdefault(fold(spelling), town)

    def find(self, spelling: str | None) -> Town | None:
        """The town called `spelling` in any known variant, else None."""
        return self._by_spelling.get(fold(spelling)) if spelling else None

    def nearest(self, lat: float, lon: float, reach_km: float = TOWN_REACH_KM) -> Town | None:
        """The town whose centre is closest to the point, if within `reach_km`."""
        best = min(self.towns, key=lambda t: haversine_km(lat, lon, t.lat, t.lon), default=None)
        if best is None or haversine_km(lat, lon, best.lat, best.lon) > reach_km:
            return None
        return best


def read_gazetteer(path: Path) -> Gazetteer:
    """Read `towns:` entries ({name, region, lat, lon, variants}); a missing file gives none."""
    if not path.is_file():
        return Gazetteer([])
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Gazetteer([Town(name=str(t["name"]), region=str(t.get("region", "")), lat=float(t["lat"]),
                           lon=float(t["lon"]), variants=tuple(str(v) for v in t.get("variants") or ()))
                      for t in raw.get("towns") or []])


@lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int) -> Gazetteer:
    return read_gazetteer(path)


def gazetteer(path: Path) -> Gazetteer:
    """The gazetteer at `path`, read again when the file changes."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _cached(path, mtime)
