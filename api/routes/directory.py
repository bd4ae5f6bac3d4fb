"""The directory's API: the bot's nearby look-up (service token) and the console's search and editing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from api.auth.deps import current_operator, require_role, require_service_token
from api.cases.models import Operator
from api.cases.schemas import MessageOut
from api.core.config import Settings, get_settings
from api.core.inputs import PathId
from api.db import get_session
from api.directory.answer import listing_text, map_url
from api.directory.classify import KINDS
from api.directory.curated import curated_sync
from api.directory.editing import EDITOR_ROLES, add_service, edit_place, get_place, place_out, search_places
from api.directory.nearby import nearby_places
from api.directory.schemas import (
    NearbyOut,
    NearbyPlaceOut,
    PlaceEdit,
    PlaceListOut,
    PlaceOut,
    SendPlaceIn,
    ServiceIn,
)
from api.directory.sending import send_place
from api.directory.towns import gazetteer
from api.nlg.render import pick_language

# Declared so the OpenAPI schema says every answer a route may give.
DIRECTORY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in, or missing service token"}, 403: {"description": "missing CSRF token or role"},
    404: {"description": "no such place or case"}, 409: {"description": "the case is not in that state"}}
router = APIRouter(prefix="/api/v1", tags=["directory"], responses=DIRECTORY_ERRORS)
editor = require_role(*sorted(EDITOR_ROLES))
MAX_NEARBY = 5
MAX_KINDS = len(KINDS)


def _synced(session: Session, settings: Settings) -> None:
    towns = gazetteer(settings.data_dir / "towns.yml")
    curated_sync.ensure(session, settings.data_dir / "services.yml", towns)


@router.get("/directory/nearby", response_model=NearbyOut, dependencies=[Depends(require_service_token)])
def nearby(lat: float = Query(ge=-90, le=90), lon: float = Query(ge=-180, le=180),
           kind: list[str] = Query(default_factory=list, max_length=MAX_KINDS),
           topic: str | None = Query(default=None, max_length=64), emergency_care: bool = False,
           language: str = Query(default="fr", max_length=16), limit: int = Query(default=3, ge=1, le=MAX_NEARBY),
           session: Session = Depends(get_session), settings: Settings = Depends(get_settings)) -> NearbyOut:
    """The places of these kinds nearest the point, within the distance cap, and their listing in `language`."""
    _synced(session, settings)
    code = pick_language(language)
    found = nearby_places(session, lat, lon, frozenset(k for k in kind if k in KINDS), settings.directory_max_km,
                          limit, topic=topic, emergency_care=emergency_care)
    text, fitting = listing_text(found, code)
    places = [NearbyPlaceOut(id=n.place.id, name=n.place.name, kind=n.place.kind,
                             distance_km=round(n.distance_km, 2), location_precision=n.place.location_precision,
                             address=n.place.address, phone=n.place.phone,
                             opening_hours=n.place.opening_hours, verified=n.place.verified,
                             source=n.place.source, map_url=map_url(n.place)) for n in found[:fitting]]
    return NearbyOut(max_km=settings.directory_max_km, language=code, places=places, text=text if places else "")


@router.get("/directory/places", response_model=PlaceListOut)
def list_places(q: str = Query(default="", max_length=100), town: str = Query(default="", max_length=120),
                kind: str = Query(default="", max_length=32), include_hidden: bool = False,
                limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0, le=100_000),
                _operator: Operator = Depends(current_operator), session: Session = Depends(get_session),
                settings: Settings = Depends(get_settings)) -> PlaceListOut:
    """Search the directory by words, town (nearest first) and kind."""
    _synced(session, settings)
    towns = gazetteer(settings.data_dir / "towns.yml")
    total, rows = search_places(session, towns, settings.directory_town_radius_km, q, town, kind, include_hidden,
                                limit, offset)
    return PlaceListOut(total=total, places=[place_out(p, d) for p, d in rows])


@router.get("/directory/places/{place_id:int}", response_model=PlaceOut)
def read_place(place_id: PathId, _operator: Operator = Depends(current_operator),
               session: Session = Depends(get_session)) -> PlaceOut:
    """One place."""
    return place_out(get_place(session, place_id))


@router.patch("/directory/places/{place_id:int}", response_model=PlaceOut)
def change_place(place_id: PathId, body: PlaceEdit, operator: Operator = Depends(editor),
                 session: Session = Depends(get_session)) -> PlaceOut:
    """Verify or correct a place, or hide a wrong one (editors, supervisors, admins)."""
    return place_out(edit_place(session, operator, place_id, body))


@router.post("/directory/places", response_model=PlaceOut, status_code=status.HTTP_201_CREATED)
def create_service(body: ServiceIn, operator: Operator = Depends(editor), session: Session = Depends(get_session),
                   settings: Settings = Depends(get_settings)) -> PlaceOut:
    """Add an association's service (editors, supervisors, admins)."""
    return place_out(add_service(session, operator, body, gazetteer(settings.data_dir / "towns.yml")))


@router.post("/cases/{case_id:int}/send-place", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
def send_place_to_person(case_id: PathId, body: SendPlaceIn, operator: Operator = Depends(current_operator),
                         session: Session = Depends(get_session)) -> MessageOut:
    """Send a place to the person on their channel (outbox) and record it as a referral."""
    message, _referral = send_place(session, operator, case_id, body.place_id)
    return MessageOut(id=message.id, direction=message.direction, text=message.text, media_url=None,
                      author_operator_id=operator.id, created_at=message.created_at)
