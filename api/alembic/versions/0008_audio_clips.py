"""audio clips: editors' recordings of a message in a language (files under AUDIO_DIR)

Revision ID: 0008_audio_clips
Revises: 0007_operator_sessions
Create Date: 2026-12-01 14:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0008_audio_clips'
down_revision = '0007_operator_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audio_clip',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('msgid', sa.String(length=128), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('msgid', 'language', name='uq_audio_clip_msgid_language'),
    sa.UniqueConstraint('token', name='uq_audio_clip_token'),
    )


def downgrade() -> None:
    op.drop_table('audio_clip')
