"""The action server's gazetteer: the towns file of its settings, matched by the project's one gazetteer."""

from __future__ import annotations

from functools import lru_cache

from actions.config import get_settings
from nlu.towns import Gazetteer, Town, haversine_km

__all__ = ["Gazetteer", "Town", "haversine_km", "town_gazetteer"]


@lru_cache(maxsize=1)
def town_gazetteer() -> Gazetteer:
    """The gazetteer of the configured towns file, loaded once per process."""
    return Gazetteer.from_file(get_settings().towns_path)
