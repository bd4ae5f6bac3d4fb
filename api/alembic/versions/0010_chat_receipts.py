"""chat receipts: a web chat message retried with the same client message id is answered once

Revision ID: 0010_chat_receipts
Revises: 0009_content_reviews
Create Date: 2026-12-01 14:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0010_chat_receipts'
down_revision = '0009_content_reviews'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table('chat_receipt',
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('client_message_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id', 'client_message_id'),
    )
    op.create_index('ix_chat_receipt_created_at', 'chat_receipt', ['created_at'])

def downgrade() -> None:
    op.drop_index('ix_chat_receipt_created_at', table_name='chat_receipt')
    op.drop_table('chat_receipt')
