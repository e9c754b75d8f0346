"""Conversations record their channel (web or Slack); existing ones came from the web chat.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("channel", sa.String(16), nullable=False, server_default="web"))
    op.create_index("ix_conversations_channel", "conversations", ["channel"])


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_channel")
        batch.drop_column("channel")
