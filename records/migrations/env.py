"""Alembic's entry point: runs on the connection ``records.migrations`` hands over."""

from __future__ import annotations

from alembic import context

from records.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through records.migrations.upgrade() or `advisor db upgrade`")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
