"""operator capacity: the most cases an operator may hold at once (NULL: no limit)

Revision ID: 0011_operator_capacity
Revises: 0010_chat_receipts
Create Date: 2026-12-01 13:45:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0011_operator_capacity'
down_revision = '0010_chat_receipts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operator') as batch:
        batch.add_column(sa.Column('max_cases', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('operator') as batch:
        batch.drop_column('max_cases')
