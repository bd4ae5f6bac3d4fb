"""Nearest services: the service directory (data/services.yml) and `action_find_services`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.config import get_settings
from actions.places import Gazetteer, Town, fold, haversine_km

logger = logging.getLogger(__name__)

MAX_LISTED = 3
# Not a word: the catalog's utter_services_unverified_note explains it in the person's language.
UNVERIFIED_MARK = "*"
KINDS = ("primary_health_centre", "hospital", "association", "listening_cell", "violence_unit", "hiv_testing")
# Which kinds of place answer which need; a topic not listed here gets every kind.
KINDS_FOR_TOPIC: dict[str, frozenset[str]] = {
    "pregnancy_care": frozenset({"primary_health_centre", "hospital"}),
    "family_planning": frozenset({"primary_health_centre"}),
    "child_vaccination": frozenset({"primary_health_centre"}),
    "hiv_sti": frozenset({"hiv_testing"}),
    "tuberculosis": frozenset({"primary_health_centre", "hospital"}),
    "covid_symptoms": frozenset({"primary_health_centre", "hospital"}),
    "covid_vaccine": frozenset({"primary_health_centre"}),
    "mental_health": frozenset({"listening_cell"}),
    "violence_support": frozenset({"violence_unit"}),
}
# Intents that say what the person needs; the latest one recently said decides the kind.
TOPIC_INTENTS = frozenset(KINDS_FOR_TOPIC) | {
    "rights_free_care", "rights_undocumented", "rights_hospital_billing", "health_coverage", "care_refused",
    "covid_prevention",
}
TOPIC_LOOKBACK_MESSAGES = 6


@dataclass(frozen=True)
class Service:
    """One entry of the service directory."""

    id: str
    name: str
    kind: str
    city: str
    lat: float
    lon: float
    verified: bool
    topics: frozenset[str] = field(default_factory=frozenset)

    def serves(self, topic: str | None) -> bool:
        """Whether to list this service for a person asking about `topic` (None: any need)."""
        if topic is None or topic not in KINDS_FOR_TOPIC:
            return True
        return self.kind in KINDS_FOR_TOPIC[topic] or topic in self.topics


@dataclass(frozen=True)
class NearbyService:
    """A service and how far it is from the person, in kilometres."""

    service: Service
    distance_km: float


def load_services(path: Path, gazetteer: Gazetteer) -> list[Service]:
    """Read the directory; an entry without coordinates takes its town's centre from the gazetteer."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services = []
    for entry in raw.get("services") or []:
        if entry.get("kind") not in KINDS:
            raise ValueError(f"{path}: service {entry.get('id')!r} has unknown kind {entry.get('kind')!r}")
        lat, lon = entry.get("lat"), entry.get("lon")
        if lat is None or lon is None:
            town = gazetteer.find(entry["city"])
            if town is None:
                raise ValueError(f"{path}: service {entry['id']!r} has no coordinates and its town is unknown")
            lat, lon = town.lat, town.lon
        services.append(Service(id=str(entry["id"]), name=str(entry["name"]), kind=entry["kind"],
                                city=str(entry["city"]), lat=float(lat), lon=float(lon),
                                verified=bool(entry.get("verified", False)),
                                topics=frozenset(entry.get("topics") or ())))
    return services


def nearest_services(services: list[Service], lat: float, lon: float, topic: str | None,
                     limit: int = MAX_LISTED) -> list[NearbyService]:
    """The `limit` services fitting `topic` closest to the point, nearest first (file order on ties)."""
    fitting = [NearbyService(s, haversine_km(lat, lon, s.lat, s.lon)) for s in services if s.serves(topic)]
    return sorted(fitting, key=lambda n: round(n.distance_km, 1))[:limit]


def format_services(nearby: list[NearbyService]) -> str:
    """One numbered line per service: names and distances are data, the same in every language."""
    lines = []
    for number, item in enumerate(nearby, start=1):
        mark = "" if item.service.verified else f" {UNVERIFIED_MARK}"
        lines.append(f"{number}. {item.service.name} — {item.service.city}, {item.distance_km:.0f} km{mark}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def directory() -> tuple[Gazetteer, list[Service]]:
    """The gazetteer and service directory of the configured files, loaded once per process."""
    settings = get_settings()
    gazetteer = Gazetteer.from_file(settings.towns_path)
    return gazetteer, load_services(settings.services_path, gazetteer)


def recent_topic(tracker: Tracker) -> str | None:
    """The latest need-revealing intent among the person's last few messages, if any."""
    seen = 0
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") != "user":
            continue
        seen += 1
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in TOPIC_INTENTS:
            return intent
        if seen >= TOPIC_LOOKBACK_MESSAGES:
            break
    return None


def _shared_point(tracker: Tracker) -> tuple[float, float] | None:
    """The point of a location the person shared in their latest message."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "share_location":
        return None
    values = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    try:
        return float(values["latitude"]), float(values["longitude"])
    except (KeyError, TypeError, ValueError):
        return None


class ActionFindServices(Action):
    """Lists the three nearest services of the kind the person needs, or asks where they are."""

    def name(self) -> str:
        return "action_find_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        gazetteer, services = directory()
        events: list[EventType] = []
        point = _shared_point(tracker)
        city: str | None
        if point is not None:
            town: Town | None = gazetteer.nearest(*point)
            city = town.name if town else None
            if city:
                events.append(SlotSet("city", city))
        else:
            city = tracker.get_slot("city")
            town = gazetteer.find(city)
            if town is not None:
                point = (town.lat, town.lon)
                city = town.name
        if not city:
            dispatcher.utter_message(response="utter_ask_city")
            return events
        topic = recent_topic(tracker)
        if point is None:
            # A place the gazetteer does not know: only its own services can be listed, distance unknown.
            nearby = [NearbyService(s, 0.0) for s in services
                      if fold(s.city) == fold(city) and s.serves(topic)][:MAX_LISTED]
        else:
            nearby = nearest_services(services, point[0], point[1], topic)
        logger.info("services_listed topic=%s found=%d located_by=%s", topic or "any", len(nearby),
                    "shared_location" if _shared_point(tracker) else "city")
        if not nearby:
            dispatcher.utter_message(response="utter_services_none", city=city)
            dispatcher.utter_message(response="utter_hotline_check_note")
            return events
        dispatcher.utter_message(response="utter_services_list", city=city, services=format_services(nearby))
        if any(not item.service.verified for item in nearby):
            dispatcher.utter_message(response="utter_services_unverified_note")
        return events
