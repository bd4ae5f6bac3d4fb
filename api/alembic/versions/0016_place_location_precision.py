"""place location precision: whether a place's coordinates are the building's ('exact') or only its town centre ('town')

A curated service the seeds name without an address sits at its town's centre; listing it as
"0.0 km" with a map pin there told the person a place that is not the building. Curated rows take
the value at their next sync (data/services.yml); services editors added at a town's centre are
found here by their coordinates.

Revision ID: 0016_place_location_precision
Revises: 0015_helpful_question
Create Date: 2026-12-07 05:30:00
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = '0016_place_location_precision'
down_revision = '0015_helpful_question'
branch_labels = None
depends_on = None

TOWNS = Path(__file__).resolve().parents[3] / "data" / "towns.yml"


def upgrade() -> None:
    with op.batch_alter_table('directory_place') as batch:
        batch.add_column(sa.Column('location_precision', sa.String(length=8), nullable=False, server_default='exact'))
    if not TOWNS.is_file():
        return
    places = sa.table('directory_place', sa.column('source', sa.String), sa.column('town', sa.String),
                      sa.column('lat', sa.Float), sa.column('lon', sa.Float),
                      sa.column('location_precision', sa.String))
    for town in (yaml.safe_load(TOWNS.read_text(encoding='utf-8')) or {}).get('towns') or []:
        op.execute(places.update()
                   .where(places.c.source.in_(('curated', 'console')), places.c.town == town['name'],
                          places.c.lat == float(town['lat']), places.c.lon == float(town['lon']))
                   .values(location_precision='town'))


def downgrade() -> None:
    with op.batch_alter_table('directory_place') as batch:
        batch.drop_column('location_precision')
