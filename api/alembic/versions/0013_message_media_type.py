"""message media type: a case message's attachment says what it is (audio, image, ...) so the console can play it

Revision ID: 0013_message_media_type
Revises: 0012_operator_preferences
Create Date: 2026-12-01 14:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0013_message_media_type'
down_revision = '0012_operator_preferences'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_message') as batch:
        batch.add_column(sa.Column('media_type', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_message') as batch:
        batch.drop_column('media_type')
