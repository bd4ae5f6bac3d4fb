"""operator sessions and login throttle: server-side console sessions; lockout per client and account

Revision ID: 0007_operator_sessions
Revises: 0006_offered_choices
Create Date: 2026-11-24 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0007_operator_sessions'
down_revision = '0006_offered_choices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_operator_session_operator_id', 'operator_session', ['operator_id'])
    op.create_index('ix_operator_session_expires_at', 'operator_session', ['expires_at'])
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_login_throttle_updated_at', 'login_throttle', ['updated_at'])
    # The lockout moved to login_throttle (per client and account): one per account let anyone lock anyone out.
    with op.batch_alter_table('operator') as batch:
        batch.drop_column('failed_login_count')
        batch.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('operator') as batch:
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('failed_login_count', sa.Integer(), nullable=False, server_default='0'))
    op.drop_index('ix_login_throttle_updated_at', 'login_throttle')
    op.drop_table('login_throttle')
    op.drop_index('ix_operator_session_expires_at', 'operator_session')
    op.drop_index('ix_operator_session_operator_id', 'operator_session')
    op.drop_table('operator_session')
