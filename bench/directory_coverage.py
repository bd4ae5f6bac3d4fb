"""Directory coverage: for every town of data/towns.yml, the nearest public hospital and health centre.

Usage: .venv-app/bin/python bench/directory_coverage.py [--within-km 30]   (or `make directory-coverage`)
Reads the directory of DATABASE_URL (import an extract first: `make import-facilities FILE=...`).
Prints one line per town (nearest general hospital, nearest health centre, their distances, in
km, great-circle from the town centre), then the share of towns with each within `--within-km`.
Hidden and withdrawn places are not counted; curated services are (their kind says what they are).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.core.config import get_settings  # noqa: E402
from api.db import get_sessionmaker  # noqa: E402
from api.directory.models import Place  # noqa: E402
from api.directory.towns import Town, gazetteer, haversine_km  # noqa: E402

COLUMNS = {"hospital": frozenset({"hospital"}), "health centre": frozenset({"primary_health_centre"})}


def nearest(town: Town, places: list[Place]) -> tuple[Place | None, float | None]:
    """The place closest to the town centre, and its distance."""
    best = min(places, key=lambda p: haversine_km(town.lat, town.lon, p.lat, p.lon), default=None)
    return best, (None if best is None else haversine_km(town.lat, town.lon, best.lat, best.lon))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--within-km", type=float, default=30.0)
    args = parser.parse_args()
    towns = gazetteer(get_settings().data_dir / "towns.yml").towns
    with get_sessionmaker()() as session:
        listed = list(session.scalars(select(Place).where(Place.hidden.is_(False), Place.withdrawn.is_(False))))
    by_column = {name: [p for p in listed if p.kind in kinds] for name, kinds in COLUMNS.items()}
    print(f"{len(listed)} listed places; " + ", ".join(f"{n}: {len(p)}" for n, p in by_column.items()))
    print(f"{'town':<14} {'nearest hospital':<48} {'km':>6}   {'nearest health centre':<48} {'km':>6}")
    within = dict.fromkeys(COLUMNS, 0)
    for town in towns:
        cells = []
        for name, places in by_column.items():
            place, km = nearest(town, places)
            cells.append(f"{(place.name if place else '—')[:48]:<48} {'' if km is None else f'{km:.1f}':>6}")
            within[name] += km is not None and km <= args.within_km
        print(f"{town.name:<14} " + "   ".join(cells))
    for name, count in within.items():
        print(f"towns with a {name} within {args.within_km:g} km: {count}/{len(towns)} ({100 * count / len(towns):.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
