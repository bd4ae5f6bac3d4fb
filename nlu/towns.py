"""The town gazetteer (data/towns.yml) and the matching of a written place name to a canonical town."""

from __future__ import annotations

import difflib
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


class Gazetteer:
    """Maps normalised spellings to canonical town names."""

    def __init__(self, towns: List[Town]) -> None:
        """Indexes every variant and the canonical name of each town under their normalised form."""
        self.towns = towns
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
        self.max_words = max(len(form.split()) for form in (*self._by_form, *self._homograph_forms))

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
