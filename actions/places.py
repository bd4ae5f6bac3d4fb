"""The town gazetteer (data/towns.yml) and great-circle distances between places."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from actions.config import get_settings

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Town:
    """A town centre with the spellings people use for it."""

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
    """Looks towns up by any known spelling, or finds the one nearest to a point."""

    def __init__(self, towns: list[Town]) -> None:
        self.towns = towns
        self._by_spelling: dict[str, Town] = {}
        for town in towns:
            for spelling in (town.name, *town.variants):
                self._by_spelling.setdefault(fold(spelling), town)

    @classmethod
    def from_file(cls, path: Path) -> "Gazetteer":
        """Read `towns:` entries ({name, region, lat, lon, variants}); a missing file gives none."""
        if not path.is_file():
            return cls([])
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        towns = [Town(name=str(t["name"]), region=str(t.get("region", "")), lat=float(t["lat"]),
                      lon=float(t["lon"]), variants=tuple(str(v) for v in t.get("variants") or ()))
                 for t in raw.get("towns") or []]
        return cls(towns)

    def find(self, spelling: str | None) -> Town | None:
        """The town called `spelling` in any known variant, else None."""
        if not spelling:
            return None
        return self._by_spelling.get(fold(spelling))

    def nearest(self, lat: float, lon: float) -> Town | None:
        """The town whose centre is closest to the point, else None when the gazetteer is empty."""
        if not self.towns:
            return None
        return min(self.towns, key=lambda t: haversine_km(lat, lon, t.lat, t.lon))


@lru_cache(maxsize=1)
def town_gazetteer() -> Gazetteer:
    """The gazetteer of the configured towns file, loaded once per process."""
    return Gazetteer.from_file(get_settings().towns_path)
