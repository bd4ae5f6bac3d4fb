"""privacy data: captured callback numbers, erasures in progress, media to delete, anonymous statistics

Revision ID: 0005_privacy_data
Revises: 0004_directory
Create Date: 2026-11-24 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005_privacy_data'
down_revision = '0004_directory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('captured_contact',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('encrypted_number', sa.Text(), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id'),
    )
    op.create_table('person_erasure',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tracker_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('conversation_id'),
    )
    op.create_table('media_deletion',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('encrypted_url', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_table('case_statistic',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('triage_level', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'association_id', 'region', 'triage_level', 'topic',
                        name='uq_case_statistic_bucket'),
    )
    op.create_index('ix_case_statistic_association_id', 'case_statistic', ['association_id'])
    with op.batch_alter_table('channel_identity') as batch:
        batch.add_column(sa.Column('forget_asked_at', sa.DateTime(timezone=True), nullable=True))
    # Tracker erasures not carried out yet continue under the new table; done ones are forgotten.
    op.execute("INSERT INTO person_erasure (conversation_id, requested_at, not_before, attempts) "
               "SELECT conversation_id, requested_at, requested_at, 0 FROM bot_history_erasure WHERE done_at IS NULL")
    op.drop_table('bot_history_erasure')


def downgrade() -> None:
    op.create_table('bot_history_erasure',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('conversation_id'),
    )
    op.execute("INSERT INTO bot_history_erasure (conversation_id, requested_at) "
               "SELECT conversation_id, requested_at FROM person_erasure WHERE tracker_done_at IS NULL")
    with op.batch_alter_table('channel_identity') as batch:
        batch.drop_column('forget_asked_at')
    op.drop_index('ix_case_statistic_association_id', table_name='case_statistic')
    op.drop_table('case_statistic')
    op.drop_table('media_deletion')
    op.drop_table('person_erasure')
    op.drop_table('captured_contact')
