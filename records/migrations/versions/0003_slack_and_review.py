"""Slack threads, delivered events and escalations; one place per message; review fields in the log.

Conversations written by concurrent follow-ups before this revision may hold two messages at one
position: they are renumbered in their stored order (position, then time) before the uniqueness
constraint is added, so nothing is lost.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _renumber_messages()
    # A unique index, not a constraint: SQLite adds it without rebuilding the table, and a rebuild
    # would cascade the old table's deletion to the feedback that refers to it.
    op.create_index(
        "uq_messages_conversation_position", "messages", ["conversation_id", "position"], unique=True
    )
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.add_column(sa.Column("evidence", sa.Float, nullable=True))
        batch.add_column(sa.Column("passages", sa.JSON, nullable=True))
        batch.add_column(sa.Column("cited_ids", sa.JSON, nullable=True))
        batch.add_column(sa.Column("elapsed_ms", sa.Integer, nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=True))
    op.create_table(
        "slack_threads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("team_id", "channel_id", "thread_ts", name="uq_slack_threads_thread"),
    )
    op.create_index("ix_slack_threads_conversation_id", "slack_threads", ["conversation_id"])
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_slack_events_seen_at", "slack_events", ["seen_at"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("message_id", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("taken_by", sa.String(64), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("thread_link", sa.Text, nullable=True),
        sa.Column("posted_channel", sa.String(32), nullable=True),
        sa.Column("posted_ts", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_escalations_conversation_id", "escalations", ["conversation_id"])
    op.create_index("ix_escalations_status", "escalations", ["status"])


def _renumber_messages() -> None:
    """Give each conversation's messages the places 0, 1, 2 … in their stored order."""
    connection = op.get_bind()
    messages = sa.table(
        "messages",
        sa.column("id", sa.String),
        sa.column("conversation_id", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    duplicated = connection.execute(
        sa.select(messages.c.conversation_id)
        .group_by(messages.c.conversation_id, messages.c.position)
        .having(sa.func.count() > 1)
    ).scalars()
    for conversation_id in sorted(set(duplicated)):
        rows = connection.execute(
            sa.select(messages.c.id)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.position, messages.c.created_at, messages.c.id)
        ).scalars()
        for place, message_id in enumerate(list(rows)):
            connection.execute(sa.update(messages).where(messages.c.id == message_id).values(position=place))


def downgrade() -> None:
    op.drop_index("ix_escalations_status", "escalations")
    op.drop_index("ix_escalations_conversation_id", "escalations")
    op.drop_table("escalations")
    op.drop_index("ix_slack_events_seen_at", "slack_events")
    op.drop_table("slack_events")
    op.drop_index("ix_slack_threads_conversation_id", "slack_threads")
    op.drop_table("slack_threads")
    with op.batch_alter_table("question_log") as batch:
        for column in ("outcome", "elapsed_ms", "cited_ids", "passages", "evidence", "channel"):
            batch.drop_column(column)
    op.drop_index("uq_messages_conversation_position", "messages")
