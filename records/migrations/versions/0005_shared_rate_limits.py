"""Rate-limit buckets in the records database, shared by every server process on PostgreSQL; which
process is indexing an upload.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_rate_buckets_at", "rate_buckets", ["at"])
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("claimed_by")
    op.drop_index("ix_rate_buckets_at", "rate_buckets")
    op.drop_table("rate_buckets")
