"""case satisfaction: the optional 1-5 question asked when a case closes, answered anonymously

Revision ID: 0014_case_satisfaction
Revises: 0013_message_media_type
Create Date: 2026-12-01 14:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0014_case_satisfaction'
down_revision = '0013_message_media_type'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_satisfaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['hotline_case.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_satisfaction_case_id', 'case_satisfaction', ['case_id'])
    op.create_index('ix_case_satisfaction_association_id', 'case_satisfaction', ['association_id'])
    op.create_index('ix_case_satisfaction_conversation_id', 'case_satisfaction', ['conversation_id'])


def downgrade() -> None:
    op.drop_table('case_satisfaction')
