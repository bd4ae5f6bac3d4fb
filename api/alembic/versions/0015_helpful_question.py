"""helpful question: when a conversation was last asked "Was this helpful?" and about which answer (asked now and then, counted once)

Revision ID: 0015_helpful_question
Revises: 0014_case_satisfaction
Create Date: 2026-12-01 17:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0015_helpful_question'
down_revision = '0014_case_satisfaction'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_identity') as batch:
        batch.add_column(sa.Column('helpful_asked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('helpful_msgid', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('helpful_language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channel_identity') as batch:
        batch.drop_column('helpful_language')
        batch.drop_column('helpful_msgid')
        batch.drop_column('helpful_asked_at')
