"""Nearest services: `action_find_services` asks the backend's directory for the places the need calls for.

The directory (OpenStreetMap places and the associations' curated services) lives in the backend's
database; this action only knows which kinds of place fit which need, where the person is (a
shared location or their town in data/towns.yml), and what to say. The backend returns the places
nearest first within its distance cap, already worded in the person's language.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.config import ActionSettings, get_settings
from actions.http_client import backend_client
from actions.places import Town, town_gazetteer

logger = logging.getLogger(__name__)

MAX_LISTED = 3
HOSPITALS = frozenset({"hospital"})
HEALTH_CENTRES = frozenset({"primary_health_centre"})
ASSOCIATIONS = frozenset({"association", "listening_cell", "hiv_testing", "violence_unit"})
# Kinds listed when the need does not say more (pharmacies only when asked for).
ANY_NEED = frozenset({"primary_health_centre", "hospital", "maternity"}) | ASSOCIATIONS
# Which kinds of place answer which need (a curated service is also listed for the topics it names).
KINDS_FOR_TOPIC: dict[str, frozenset[str]] = {
    "pregnancy_care": frozenset({"maternity", "primary_health_centre", "hospital"}),
    "family_planning": frozenset({"primary_health_centre", "maternity"}),
    "show_family_planning": frozenset({"primary_health_centre", "maternity"}),
    "child_vaccination": HEALTH_CENTRES,
    "hiv_sti": frozenset({"primary_health_centre", "hiv_testing"}),
    "tuberculosis": HEALTH_CENTRES,
    "covid_symptoms": frozenset({"primary_health_centre", "hospital"}),
    "covid_vaccine": HEALTH_CENTRES,
    "mental_health": frozenset({"listening_cell", "primary_health_centre", "hospital", "psychiatric_hospital"}),
    "violence_support": frozenset({"violence_unit"}),
    "emergency": frozenset({"hospital", "children_hospital"}),
    "care_refused": frozenset({"association"}),
}
# Topics the curated services name under another intent name.
TOPIC_ALIASES = {"show_family_planning": "family_planning"}
# Intents that name a case topic (actions/escalation.py uses them too).
TOPIC_INTENTS = frozenset({
    "pregnancy_care", "family_planning", "child_vaccination", "hiv_sti", "tuberculosis", "covid_symptoms",
    "covid_vaccine", "mental_health", "violence_support", "rights_free_care", "rights_undocumented",
    "rights_hospital_billing", "health_coverage", "care_refused", "covid_prevention",
})
# Intents that say what the person needs; the latest one recently said decides the kind of place.
NEED_INTENTS = TOPIC_INTENTS | frozenset(KINDS_FOR_TOPIC)
TOPIC_LOOKBACK_MESSAGES = 6
# The kind of place a person names when asking where to go ("la pharmacie la plus proche"); matched on
# the find_service message, because the NLU contract has no entity for it.
NAMED_KINDS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"pharmac|farmas|فرمس|فارماس|صيدلي", re.IGNORECASE), frozenset({"pharmacy"})),
    # OpenStreetMap maps few health centres: public hospitals nearby come with them.
    (re.compile(r"centre de sant|centre sant|dispensaire|health cent|clinic|مركز صحي|المركز الصحي|مستوصف|"
                r"\bcs[ur]?\b|sbitar sghir|markaz", re.IGNORECASE), HEALTH_CENTRES | HOSPITALS),
    (re.compile(r"h[oô]pital|hospital|sbitar|sbital|سبيطار|مستشف|urgences|مستعجلات", re.IGNORECASE),
     frozenset({"hospital", "children_hospital"})),
    (re.compile(r"associa|جمعي|jam3i", re.IGNORECASE), ASSOCIATIONS),
)


@dataclass(frozen=True)
class Lookup:
    """What to ask the directory for."""

    kinds: frozenset[str]
    topic: str | None
    emergency_care: bool = False


@dataclass(frozen=True)
class DirectoryAnswer:
    """The backend's answer: the listing text (empty when nothing is near) and its cap, or None when down."""

    text: str
    count: int
    max_km: float


def _recent_user_events(tracker: Tracker) -> list[dict[str, Any]]:
    users = [e for e in reversed(tracker.events_after_latest_restart()) if e.get("event") == "user"]
    return users[:TOPIC_LOOKBACK_MESSAGES]


def recent_topic(tracker: Tracker) -> str | None:
    """The latest need-revealing intent among the person's last few messages, if any."""
    for event in _recent_user_events(tracker):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in NEED_INTENTS:
            return str(intent)
    return None


def named_kinds(tracker: Tracker) -> frozenset[str] | None:
    """The kind of place the person named in their latest request for a service, if they named one."""
    for event in _recent_user_events(tracker):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "find_service":
            continue
        text = str(event.get("text") or "")
        for pattern, kinds in NAMED_KINDS:
            if pattern.search(text):
                return kinds
        return None
    return None


def lookup_for(tracker: Tracker) -> Lookup:
    """The kinds the need calls for: a kind the person named wins over the kind their topic implies."""
    topic = recent_topic(tracker)
    named = named_kinds(tracker)
    curated_topic = TOPIC_ALIASES.get(topic or "", topic)
    if named is not None:
        return Lookup(named, curated_topic, emergency_care=topic == "emergency")
    return Lookup(KINDS_FOR_TOPIC.get(topic or "", ANY_NEED), curated_topic, emergency_care=topic == "emergency")


def conversation_language(tracker: Tracker) -> str:
    """The language the answer will be rendered in (the NLG endpoint's rule: slot, else detected, else fr)."""
    slot = tracker.get_slot("language")
    if isinstance(slot, str) and slot:
        return slot
    detected = tracker.latest_message.get("language")
    code = detected.get("code") if isinstance(detected, dict) else None
    return str(code) if isinstance(code, str) and code else "fr"


async def ask_directory(settings: ActionSettings, point: tuple[float, float], lookup: Lookup, language: str,
                        client: httpx.AsyncClient | None = None) -> DirectoryAnswer | None:
    """GET the nearby places from the backend; None when it cannot answer (never raises for that)."""
    params: list[tuple[str, str | int | float | bool | None]] = [("lat", f"{point[0]:.6f}"), ("lon", f"{point[1]:.6f}"),
                                     ("language", language), ("limit", str(MAX_LISTED))]
    params += [("kind", kind) for kind in sorted(lookup.kinds)]
    if lookup.topic:
        params.append(("topic", lookup.topic))
    if lookup.emergency_care:
        params.append(("emergency_care", "true"))
    http = client or backend_client()
    try:
        response = await http.get(f"{settings.api_url}/api/v1/directory/nearby", params=params,
                                  headers={"Authorization": f"Bearer {settings.service_token}"})
        response.raise_for_status()
        body = response.json()
        return DirectoryAnswer(text=str(body["text"]), count=len(body["places"]), max_km=float(body["max_km"]))
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        logger.warning("directory_unavailable error=%s", type(error).__name__)
        return None


def _shared_point(tracker: Tracker) -> tuple[float, float] | None:
    """The point of a location the person shared in their latest message."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "share_location":
        return None
    values = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    try:
        latitude, longitude = float(values["latitude"]), float(values["longitude"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    # The gateway checks this too, but a tracker event or a typed payload can reach the action another way.
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


class ActionFindServices(Action):
    """Lists the nearest places of the kind the person needs, says honestly when none is near, or asks the town."""

    def name(self) -> str:
        return "action_find_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        gazetteer = town_gazetteer()
        events: list[EventType] = []
        point = _shared_point(tracker)
        located_by = "shared_location" if point else "city"
        town: Town | None
        if point is not None:
            town = gazetteer.nearest(*point)
            if town is not None:
                events.append(SlotSet("city", town.name))
        else:
            town = gazetteer.find(tracker.get_slot("city"))
            point = (town.lat, town.lon) if town is not None else None
        city = town.name if town is not None else tracker.get_slot("city")
        if point is None:
            if city:  # a place the gazetteer does not know: no distance can be measured
                dispatcher.utter_message(response="utter_services_none", city=city)
            else:
                dispatcher.utter_message(response="utter_ask_city")
            return events
        lookup = lookup_for(tracker)
        answer = await ask_directory(get_settings(), point, lookup, conversation_language(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_services_unavailable")
            return events
        logger.info("services_listed topic=%s kinds=%s found=%d located_by=%s", lookup.topic or "any",
                    ",".join(sorted(lookup.kinds)), answer.count, located_by)
        if answer.count == 0:
            dispatcher.utter_message(response="utter_services_none_nearby", city=city or "",
                                     max_km=f"{answer.max_km:g}")
            return events
        dispatcher.utter_message(response="utter_services_list", city=city or "", services=answer.text)
        return events
