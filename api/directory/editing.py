"""What editors and operators do with the directory: search it, verify or correct a place, add a service, hide one.

Every change marks the fields an editor touched (`edited_fields`), so no later import overwrites
them, and is audited (ids only). Answers read the table on every request: a change is in the next
answer, with no restart.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.cases.events import audit
from api.cases.models import Operator
from api.core.clock import utcnow
from api.core.codes import Role
from api.core.errors import Conflict, NotFound
from api.directory.answer import map_url
from api.directory.models import Place
from api.directory.nearby import bounding_box
from api.directory.schemas import PlaceEdit, PlaceOut, ServiceIn
from api.directory.towns import Gazetteer, haversine_km

# Console roles allowed to change the directory; operators read it and send places from a case.
EDITOR_ROLES: frozenset[Role] = frozenset({Role.EDITOR, Role.SUPERVISOR, Role.ADMIN})
# Kinds the console lists unless asked for one: thousands of pharmacies would drown the rest.
DEFAULT_HIDDEN_KINDS: frozenset[str] = frozenset({"pharmacy"})
TEXT_FIELDS = ("name", "name_fr", "name_ar", "address", "phone", "opening_hours", "emergency")


def place_out(place: Place, distance_km: float | None = None) -> PlaceOut:
    """The console's view of a row."""
    return PlaceOut(id=place.id, key=place.key, source=place.source, kind=place.kind, name=place.name,
                    name_fr=place.name_fr, name_ar=place.name_ar, lat=place.lat, lon=place.lon,
                    location_precision=place.location_precision, town=place.town,
                    address=place.address, phone=place.phone, opening_hours=place.opening_hours,
                    emergency=place.emergency, receives_migrants=place.receives_migrants,
                    topics=list(place.topics or []), verified=place.verified, hidden=place.hidden,
                    withdrawn=place.withdrawn, edited_fields=list(place.edited_fields or []),
                    map_url=map_url(place), verified_at=place.verified_at, updated_at=place.updated_at,
                    distance_km=None if distance_km is None else round(distance_km, 1))


def search_places(session: Session, towns: Gazetteer, radius_km: float, query: str = "", town: str = "",
                  kind: str = "", include_hidden: bool = False, limit: int = 50,
                  offset: int = 0) -> tuple[int, list[tuple[Place, float | None]]]:
    """Places matching the words, kind and town (within `radius_km` of its centre, nearest first)."""
    statement = select(Place)
    if not include_hidden:
        statement = statement.where(Place.hidden.is_(False), Place.withdrawn.is_(False))
    if kind:
        statement = statement.where(Place.kind == kind)
    else:
        statement = statement.where(Place.kind.not_in(DEFAULT_HIDDEN_KINDS))
    for word in query.split()[:5]:
        pattern = f"%{word.lower()}%"
        statement = statement.where(or_(func.lower(Place.name).like(pattern), func.lower(Place.name_fr).like(pattern),
                                        Place.name_ar.like(f"%{word}%"), func.lower(Place.town).like(pattern)))
    centre = towns.find(town) if town else None
    if town and centre is None:
        return 0, []
    if centre is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(centre.lat, centre.lon, radius_km)
        statement = statement.where(Place.lat.between(min_lat, max_lat), Place.lon.between(min_lon, max_lon))
        rows = [(p, haversine_km(centre.lat, centre.lon, p.lat, p.lon)) for p in session.scalars(statement)]
        within = sorted([(p, d) for p, d in rows if d <= radius_km], key=lambda pd: (pd[1], pd[0].id))
        return len(within), [(p, d) for p, d in within[offset:offset + limit]]
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page = session.scalars(statement.order_by(Place.town, Place.name, Place.id).offset(offset).limit(limit))
    return total, [(p, None) for p in page]


def get_place(session: Session, place_id: int) -> Place:
    """The place, or 404."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound("place_not_found", "No such place in the directory.")
    return place


def _mark_edited(place: Place, field: str) -> None:
    if field not in (place.edited_fields or []):
        place.edited_fields = [*(place.edited_fields or []), field]


def edit_place(session: Session, operator: Operator, place_id: int, changes: PlaceEdit) -> Place:
    """Apply an editor's changes (committed); verifying records when and by whom."""
    place = get_place(session, place_id)
    sent = changes.model_dump(exclude_unset=True)
    touched: list[str] = []
    for field in TEXT_FIELDS:
        if field in sent:
            value = (sent[field] or "").strip() or None
            if field == "name" and value is None:
                raise Conflict("name_required", "A place needs a name.")
            if getattr(place, field) != value:
                setattr(place, field, value)
                _mark_edited(place, field)
                touched.append(field)
    if "kind" in sent and sent["kind"] and sent["kind"] != place.kind:
        place.kind = sent["kind"]
        _mark_edited(place, "kind")
        touched.append("kind")
    if "receives_migrants" in sent and sent["receives_migrants"] != place.receives_migrants:
        place.receives_migrants = sent["receives_migrants"]
        _mark_edited(place, "receives_migrants")
        touched.append("receives_migrants")
    if sent.get("verified") is not None and sent["verified"] != place.verified:
        place.verified = bool(sent["verified"])
        place.verified_at = utcnow() if place.verified else None
        touched.append("verified")
    if sent.get("hidden") is not None and sent["hidden"] != place.hidden:
        place.hidden = bool(sent["hidden"])
        touched.append("hidden")
    if touched:
        place.edited_by_operator_id = operator.id
        place.updated_at = utcnow()
        audit(session, "directory_place_edited", operator=operator, place_id=place.id, fields=touched)
    session.commit()
    return place


def add_service(session: Session, operator: Operator, service: ServiceIn, towns: Gazetteer) -> Place:
    """Add an association's service by hand (committed); it lives in the database only."""
    town = towns.find(service.town)
    if town is None:
        raise Conflict("unknown_town", "Pick a town of the gazetteer (data/towns.yml).")
    placed = service.lat is not None and service.lon is not None
    lat, lon = (service.lat, service.lon) if placed else (town.lat, town.lon)
    place = Place(key=f"console:{uuid.uuid4().hex[:16]}", source="console", kind=service.kind,
                  name=service.name.strip(), name_ar=(service.name_ar or "").strip() or None, lat=lat, lon=lon,
                  location_precision="exact" if placed else "town",
                  town=town.name, address=service.address or None, phone=service.phone or None,
                  opening_hours=service.opening_hours or None, receives_migrants=service.receives_migrants,
                  topics=list(service.topics), verified=service.verified, hidden=False, withdrawn=False,
                  edited_fields=[], verified_at=utcnow() if service.verified else None,
                  edited_by_operator_id=operator.id)
    session.add(place)
    session.flush()
    audit(session, "directory_service_added", operator=operator, place_id=place.id, kind=place.kind)
    session.commit()
    return place
