"""Schema migrations for the records database, run with Alembic from code (no alembic.ini).

``upgrade()`` brings a database to the newest revision: ``advisor serve`` calls it on start and
``advisor db upgrade`` on demand. A database made before migrations existed (by ``create_all``, with
today's first revision's tables but no ``alembic_version``) is adopted: stamped at that revision,
then upgraded.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

from records.database import build_engine

BASELINE = "0001"
# Any constant shared by every process: PostgreSQL holds this advisory lock while one of several
# starting workers migrates, so the others wait instead of racing to create the same table.
LOCK_KEY = 7_316_001


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """The database's revision, or None when it has never been migrated (nor adopted)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database's schema to ``revision``, adopting a pre-migration database first.

    Returns the revision it found (None for a database never migrated), read under the lock.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        found = MigrationContext.configure(connection).get_current_revision()
        config = _config(connection)
        tables = set(inspect(connection).get_table_names())
        if "conversations" in tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
        return found


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Upgrade the database at ``url``; its revision before and after."""
    engine = build_engine(url)
    try:
        return upgrade(engine), head()
    finally:
        engine.dispose()
