"""offered choices: the buttons last offered to each person, for typed numbers and titles

Revision ID: 0006_offered_choices
Revises: 0005_privacy_data
Create Date: 2026-12-01 10:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006_offered_choices'
down_revision = '0005_privacy_data'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offered_choice',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('buttons', sa.JSON(), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id'),
    )


def downgrade() -> None:
    op.drop_table('offered_choice')
