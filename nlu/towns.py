"""The town gazetteer (data/towns.yml): a written place name to its canonical town, and the town nearest a point.

The one gazetteer of the project: the NLU's city resolver and the action server both match towns here, so
a town the bot recognises in a message is the town the escalation form and the services search find.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from nlu.normalise import normalise_text

TOWNS_FILE = Path(__file__).resolve().parents[1] / "data" / "towns.yml"
# Arabic proclitics glued to a place name: "فوجدة" (in Oujda), "بطنجة", "لفاس", "والرباط".
_ARABIC_PROCLITICS = ("فال", "بال", "وال", "لل", "ف", "ب", "ل", "و", "ك")
# Below this similarity a misspelling is not taken for a town ("oujdda" is, "ouvrir" is not).
_FUZZY_CUTOFF = 0.84
_FUZZY_MIN_LENGTH = 5
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Town:
    """One town of the gazetteer."""

    name: str
    region: str
    lat: float
    lon: float
    variants: Tuple[str, ...]
    homographs: Tuple[str, ...] = field(default=())

    @property
    def lookup_variants(self) -> List[str]:
        """Variants safe to match anywhere in a message (homographs left out)."""
        return [v for v in self.variants if v not in self.homographs]


def load_towns(path: Path = TOWNS_FILE) -> List[Town]:
    """Reads the gazetteer; raises ValueError naming the town whose entry is incomplete."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    towns = []
    for entry in raw["towns"]:
        missing = {"name", "region", "lat", "lon", "variants"} - set(entry)
        if missing:
            raise ValueError(f"{path}: town {entry.get('name', '?')!r} lacks {sorted(missing)}")
        towns.append(Town(
            name=entry["name"], region=entry["region"], lat=float(entry["lat"]), lon=float(entry["lon"]),
            variants=tuple(str(v) for v in entry["variants"]),
            homographs=tuple(str(v) for v in entry.get("homographs", ())),
        ))
    return towns


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class Gazetteer:
    """Maps written place names to towns (canonical names), and points to the nearest town."""

    def __init__(self, towns: List[Town]) -> None:
        """Indexes every variant and the canonical name of each town under their normalised form."""
        self.towns = towns
        self._by_name: Dict[str, Town] = {town.name: town for town in towns}
        self._by_form: Dict[str, str] = {}
        self._homograph_forms: Dict[str, str] = {}
        for town in towns:
            homographs = {normalise_text(h) for h in town.homographs}
            for spelling in (town.name, *town.variants):
                form = normalise_text(spelling)
                if form in homographs:
                    self._homograph_forms[form] = town.name
                else:
                    self._by_form.setdefault(form, town.name)
        self.max_words = max((len(form.split()) for form in (*self._by_form, *self._homograph_forms)), default=1)

    @classmethod
    def from_file(cls, path: Path) -> "Gazetteer":
        """The gazetteer of a towns file; a missing file gives one without towns."""
        return cls(load_towns(path) if path.is_file() else [])

    def canonical(self, written: str, allow_homographs: bool = True, fuzzy: bool = True) -> Optional[str]:
        """The canonical name for a written place name, or None when it is not a known town."""
        form = normalise_text(written)
        if not form:
            return None
        for candidate in _without_proclitic(form):
            if candidate in self._by_form:
                return self._by_form[candidate]
            if allow_homographs and candidate in self._homograph_forms:
                return self._homograph_forms[candidate]
        if fuzzy and len(form) >= _FUZZY_MIN_LENGTH:
            close = difflib.get_close_matches(form, list(self._by_form), n=1, cutoff=_FUZZY_CUTOFF)
            if close:
                return self._by_form[close[0]]
        return None

    def find(self, written: Optional[str]) -> Optional[Town]:
        """The town a written place name means (as `canonical` matches it), else None."""
        name = self.canonical(written) if written else None
        return self._by_name.get(name) if name else None

    def nearest(self, lat: float, lon: float, reach_km: Optional[float] = None) -> Optional[Town]:
        """The town whose centre is closest to the point (within `reach_km` when given), else None."""
        best = min(self.towns, key=lambda t: haversine_km(lat, lon, t.lat, t.lon), default=None)
        if best is None or (reach_km is not None and haversine_km(lat, lon, best.lat, best.lon) > reach_km):
            return None
        return best


def _without_proclitic(form: str) -> List[str]:
    candidates = [form]
    for prefix in _ARABIC_PROCLITICS:
        if form.startswith(prefix) and len(form) - len(prefix) >= 3:
            rest = form[len(prefix):]
            candidates.append(rest)
            candidates.append("ال" + rest)  # "فالرباط" → "الرباط" after stripping "فال"
    return candidates


@lru_cache(maxsize=4)
def gazetteer(path: Path = TOWNS_FILE) -> Gazetteer:
    """The gazetteer of a towns file, read once per process."""
    return Gazetteer(load_towns(path))
