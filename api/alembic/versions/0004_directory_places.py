"""directory places: OpenStreetMap health facilities and curated services in one table

Revision ID: 0004_directory
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0004_directory'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_fr', sa.String(length=300), nullable=True),
    sa.Column('name_ar', sa.String(length=300), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('town', sa.String(length=120), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('opening_hours', sa.String(length=200), nullable=True),
    sa.Column('emergency', sa.String(length=8), nullable=True),
    sa.Column('receives_migrants', sa.Boolean(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('source_note', sa.String(length=200), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('edited_fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_by_operator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['edited_by_operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('directory_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_place_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_place_lat'), ['lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_place_town'), ['town'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('directory_place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_place_town'))
        batch_op.drop_index(batch_op.f('ix_directory_place_lat'))
        batch_op.drop_index(batch_op.f('ix_directory_place_kind'))
    op.drop_table('directory_place')
