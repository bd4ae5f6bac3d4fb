"""operator preferences: the console's language and time zone per operator (NULL: the defaults)

Revision ID: 0012_operator_preferences
Revises: 0011_operator_capacity
Create Date: 2026-12-01 14:15:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0012_operator_preferences'
down_revision = '0011_operator_capacity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operator') as batch:
        batch.add_column(sa.Column('console_language', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('operator') as batch:
        batch.drop_column('time_zone')
        batch.drop_column('console_language')
