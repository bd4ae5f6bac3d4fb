"""bot history erasure: conversations to delete from Rasa's tracker store after a /forget

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:25:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bot_history_erasure',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('conversation_id'),
    )


def downgrade() -> None:
    op.drop_table('bot_history_erasure')
