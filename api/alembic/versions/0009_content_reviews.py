"""content reviews: who saved or reviewed which catalog entry in the editors' workspace, and when;
anonymous "Was this helpful?" votes per factual message and language

Revision ID: 0009_content_reviews
Revises: 0008_audio_clips
Create Date: 2026-12-01 14:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0009_content_reviews'
down_revision = '0008_audio_clips'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('msgid', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_content_review_entry', 'content_review', ['language', 'msgid', 'created_at'])
    op.create_table('helpful_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('msgid', sa.String(length=200), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_helpful_vote_entry', 'helpful_vote', ['language', 'msgid'])


def downgrade() -> None:
    op.drop_index('ix_helpful_vote_entry', table_name='helpful_vote')
    op.drop_table('helpful_vote')
    op.drop_index('ix_content_review_entry', table_name='content_review')
    op.drop_table('content_review')
