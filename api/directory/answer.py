"""How a place reads in a person's language: name, kind, distance, contacts, map link, verification, attribution.

Every word comes from the `directory.*` messages of the catalogs; names, numbers and links are data.
"""

from __future__ import annotations

import re

from api.core.config import get_settings
from api.core.languages import normalise_language_tag
from api.directory.models import Place
from api.directory.nearby import NearbyPlace
from api.directory.towns import Gazetteer, gazetteer
from api.nlg.render import render_response

OSM_BASE = "https://www.openstreetmap.org"
# The listing goes inside utter_services_list (and maybe the fallback-language note): stay well
# under WhatsApp's 1600 characters whatever the names and addresses.
LISTING_MAX_CHARS = 1200
ARABIC_READERS = frozenset({"ar", "ary"})
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
# A place known only by its town is "in <town>" when the person is this close to the town centre,
# else "in <town>, about N km" (the distance to that centre).
TOWN_NEAR_KM = 15.0


def place_name(place: Place, language: str) -> str:
    """The Arabic name for Arabic readers, else the French/Latin one, else the name as mapped."""
    if normalise_language_tag(language) in ARABIC_READERS:
        return place.name_ar or place.name
    return place.name_fr or place.name


def town_name(name: str, language: str, towns: Gazetteer | None = None) -> str:
    """A town as the person reads it: for Arabic readers its first Arabic spelling in the gazetteer
    (data/towns.yml), else the name as given (also when the gazetteer does not know the town)."""
    if normalise_language_tag(language) not in ARABIC_READERS or ARABIC_SCRIPT.search(name):
        return name
    towns = towns if towns is not None else gazetteer(get_settings().data_dir / "towns.yml")
    town = towns.find(name)
    if town is None:
        return name
    return next((variant for variant in town.variants if ARABIC_SCRIPT.search(variant)), name)


def map_url(place: Place) -> str:
    """The place on openstreetmap.org: its own object page, or a marker at its coordinates."""
    if place.osm_ref:
        return f"{OSM_BASE}/{place.osm_ref}"
    return f"{OSM_BASE}/?mlat={place.lat:.5f}&mlon={place.lon:.5f}#map=16/{place.lat:.5f}/{place.lon:.5f}"


def distance_text(km: float) -> str:
    """One decimal under 10 km (people walk that), whole kilometres beyond."""
    return f"{km:.1f}" if km < 10 else f"{km:.0f}"


def _line(key: str, language: str, **variables: str) -> str:
    return render_response(key, language, variables).text


def located_by_town(place: Place) -> bool:
    """Whether only the place's town is known: its coordinates are the town centre, not the building."""
    return place.location_precision == "town" and bool(place.town)


def _first_line(place: Place, language: str, number: int | None, distance_km: float | None) -> str:
    """Name and kind; in a listing its number and how far it is; a place known only by its town names the town.

    A town-located place gets no distance within its town (the building could be anywhere in it):
    "in Oujda" when the town centre is within `TOWN_NEAR_KM`, else "in Oujda, about 60 km".
    """
    kind = _line(f"directory.kind.{place.kind}", language)
    name = place_name(place, language)
    town = town_name(place.town or "", language) if located_by_town(place) else ""
    if number is None or distance_km is None:  # sent by an operator
        if town:
            return _line("directory.place_sent_town", language, name=name, kind=kind, town=town)
        return _line("directory.place_sent", language, name=name, kind=kind)
    if town and distance_km >= TOWN_NEAR_KM:
        return _line("directory.place_town_away", language, number=str(number), name=name, kind=kind, town=town,
                     distance=distance_text(distance_km))
    if town:
        return _line("directory.place_in_town", language, number=str(number), name=name, kind=kind, town=town)
    return _line("directory.place", language, number=str(number), name=name, kind=kind,
                 distance=distance_text(distance_km))


def place_text(place: Place, language: str, number: int | None = None, distance_km: float | None = None) -> str:
    """The lines of one place: numbered with its distance in a listing, plain when an operator sends it.

    A place known only by its town has no map pin (it would mark the town centre as the place);
    without an address it says the exact address is not known yet.
    """
    lines = [_first_line(place, language, number, distance_km)]
    if place.address:
        lines.append(_line("directory.address", language, address=place.address))
    if place.phone:
        lines.append(_line("directory.phone", language, phone=place.phone))
    if place.opening_hours:
        lines.append(_line("directory.hours", language, hours=place.opening_hours))
    if place.verified and place.receives_migrants:
        lines.append(_line("directory.receives_migrants", language))
    if not located_by_town(place):
        lines.append(_line("directory.map", language, url=map_url(place)))
    elif not place.address:
        lines.append(_line("directory.address_unknown", language))
    if not place.verified:
        lines.append(_line("directory.unverified", language))
    return "\n".join(lines)


def listing_text(items: list[NearbyPlace], language: str) -> tuple[str, int]:
    """The numbered listing (with the OpenStreetMap attribution when a place comes from it) and how many fit."""
    blocks: list[str] = []
    listed: list[NearbyPlace] = []
    attribution = _line("directory.osm_attribution", language)
    for item in items:
        block = place_text(item.place, language, len(blocks) + 1, item.distance_km)
        if blocks and sum(len(b) + 1 for b in blocks) + len(block) + len(attribution) > LISTING_MAX_CHARS:
            break
        blocks.append(block)
        listed.append(item)
    if any(item.place.source == "openstreetmap" for item in listed):
        blocks.append(attribution)
    # One line break only: Rasa sends each paragraph ("\n\n") of a text as a message of its own.
    return "\n".join(blocks), len(listed)


def sent_place_text(place: Place, language: str) -> str:
    """One place as an operator sends it, with the attribution when it comes from OpenStreetMap."""
    text = place_text(place, language)
    if place.source == "openstreetmap":
        text = f"{text}\n{_line('directory.osm_attribution', language)}"
    return text
