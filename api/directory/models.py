"""The directory's table: one row per place a person can be sent to, whatever its source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.cases.models import Operator
from api.core.clock import UTCDateTime, utcnow
from api.db import Base

SOURCES: tuple[str, ...] = ("openstreetmap", "curated", "console")
PRECISIONS: tuple[str, ...] = ("exact", "town")
# Fields an editor may change; once changed, no import overwrites them (see `edited_fields`).
EDITABLE_FIELDS: tuple[str, ...] = ("name", "name_fr", "name_ar", "kind", "address", "phone", "opening_hours",
                                    "receives_migrants", "emergency", "topics", "lat", "lon")


class Place(Base):
    """A hospital, health centre, maternity, association service... with where it is and what is known.

    `key` says where it comes from: `osm:node/123` (OpenStreetMap id), `yaml:<id>` (data/services.yml),
    `console:<hex>` (added by an editor). A re-import updates the row with the same key but never a
    field listed in `edited_fields`, and never a row an editor verified.
    """

    __tablename__ = "directory_place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_fr: Mapped[str | None] = mapped_column(String(300), nullable=True)
    name_ar: Mapped[str | None] = mapped_column(String(300), nullable=True)
    lat: Mapped[float] = mapped_column(Float, index=True)
    lon: Mapped[float] = mapped_column(Float)
    # "exact": lat/lon are the place's own; "town": only its town is known, lat/lon are the town
    # centre (the assistant then names the town and gives no distance within it and no map pin).
    location_precision: Mapped[str] = mapped_column(String(8), default="exact", server_default="exact")
    # The gazetteer town (data/towns.yml) the place is nearest to, when within reach; for display and search.
    town: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    opening_hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    emergency: Mapped[str | None] = mapped_column(String(8), nullable=True)  # yes | no | None (unknown)
    receives_migrants: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Needs (intents) a curated service is listed for beyond what its kind covers.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Where the entry's facts come from (a seed file for curated entries).
    source_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Gone from the latest extract or from data/services.yml (kept for an editor to see, never listed).
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    edited_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    edited_by_operator_id: Mapped[int | None] = mapped_column(ForeignKey(Operator.id), nullable=True)

    @property
    def osm_ref(self) -> str | None:
        """`node/123` for a place from OpenStreetMap, else None."""
        return self.key[4:] if self.key.startswith("osm:") else None


def apply_source_values(place: Place, values: dict[str, Any]) -> tuple[bool, bool]:
    """Write a source's values into a row, except what an editor changed or verified.

    Returns (changed, kept): whether a field changed, and whether editor changes were kept.
    A verified row is left whole: the editor confirmed it as it is.
    """
    if place.verified:
        return False, True
    protected = set(place.edited_fields or ())
    changed = False
    for name, value in values.items():
        if name not in protected and getattr(place, name) != value:
            setattr(place, name, value)
            changed = True
    return changed, bool(protected)
