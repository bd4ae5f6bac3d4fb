"""Pydantic shapes at the HTTP edge of the directory (the bot's look-up, the console's editing)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.core.inputs import ID_MAX, BodyId, StrictInput, StrictText
from api.directory.classify import KINDS

EditableKind = Literal["hospital", "children_hospital", "psychiatric_hospital", "specialised_hospital",
                       "primary_health_centre", "maternity", "association", "listening_cell", "violence_unit",
                       "hiv_testing", "pharmacy"]
# Kinds an editor may add by hand: the associations' own services (hospitals and centres come from OSM).
ServiceKind = Literal["association", "listening_cell", "violence_unit", "hiv_testing"]
assert set(EditableKind.__args__) == set(KINDS)  # type: ignore[attr-defined]


class PlaceOut(BaseModel):
    """A place as the console shows it."""

    id: int
    key: str
    source: str
    kind: str
    name: str
    name_fr: str | None
    name_ar: str | None
    lat: float
    lon: float
    location_precision: str  # "exact" (the place's own coordinates) or "town" (its town centre)
    town: str | None
    address: str | None
    phone: str | None
    opening_hours: str | None
    emergency: str | None
    receives_migrants: bool | None
    topics: list[str]
    verified: bool
    hidden: bool
    withdrawn: bool
    edited_fields: list[str]
    map_url: str
    distance_km: float | None = None
    verified_at: datetime | None
    updated_at: datetime


class PlaceListOut(BaseModel):
    """One page of the console's search."""

    total: int
    places: list[PlaceOut]


class PlaceEdit(StrictInput):
    """What an editor changes; fields left out stay as they are, an empty string clears a detail."""

    name: StrictText | None = Field(default=None, min_length=1, max_length=300)
    name_fr: StrictText | None = Field(default=None, max_length=300)
    name_ar: StrictText | None = Field(default=None, max_length=300)
    kind: EditableKind | None = None
    address: StrictText | None = Field(default=None, max_length=300)
    phone: StrictText | None = Field(default=None, max_length=64)
    opening_hours: StrictText | None = Field(default=None, max_length=200)
    emergency: Literal["yes", "no", ""] | None = None
    receives_migrants: bool | None = None
    verified: bool | None = None
    hidden: bool | None = None


class ServiceIn(StrictInput):
    """An association's service an editor adds (placed at the town centre unless coordinates are given)."""

    name: StrictText = Field(min_length=1, max_length=300)
    name_ar: StrictText | None = Field(default=None, max_length=300)
    kind: ServiceKind = "association"
    town: StrictText = Field(min_length=1, max_length=120)
    lat: float | None = Field(default=None, ge=20.0, le=36.5)
    lon: float | None = Field(default=None, ge=-17.5, le=-0.9)
    address: StrictText | None = Field(default=None, max_length=300)
    phone: StrictText | None = Field(default=None, max_length=64)
    opening_hours: StrictText | None = Field(default=None, max_length=200)
    topics: list[StrictText] = Field(default_factory=list, max_length=20)
    receives_migrants: bool | None = None
    verified: bool = False


class NearbyPlaceOut(BaseModel):
    """A listed place as the action server receives it."""

    id: int
    name: str
    kind: str
    distance_km: float  # to its coordinates: the town centre when location_precision is "town"
    location_precision: str
    address: str | None
    phone: str | None
    opening_hours: str | None
    verified: bool
    source: str
    map_url: str


class NearbyOut(BaseModel):
    """The bot's look-up: the places (nearest first, within the cap) and their listing in the person's language."""

    max_km: float
    language: str
    places: list[NearbyPlaceOut]
    text: str


class SendPlaceIn(StrictInput):
    """The place an operator sends to the person of a case."""

    place_id: BodyId = Field(ge=1, le=ID_MAX)
