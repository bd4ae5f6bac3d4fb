"""The town gazetteer (data/towns.yml) on the app side: the project's one gazetteer (nlu/towns.py), so the
directory and the console match a town's spellings as the bot does; read again when the file changes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nlu.towns import Gazetteer, Town, haversine_km

__all__ = ["TOWN_REACH_KM", "Gazetteer", "Town", "gazetteer", "haversine_km", "read_gazetteer"]

# A place farther than this from every town centre of the gazetteer gets no town.
TOWN_REACH_KM = 25.0


def read_gazetteer(path: Path) -> Gazetteer:
    """Read `towns:` entries ({name, region, lat, lon, variants, homographs}); a missing file gives none."""
    return Gazetteer.from_file(path)


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
