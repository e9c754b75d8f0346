"""How long records are kept and who may read the file they are kept in.

Conversations and the question log hold what procurers typed, masked (``assistant.privacy``) but still
theirs: they are deleted once older than the retention setting (on ``advisor serve`` start and by
``advisor records prune``), and an SQLite database file is readable by its owner only.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from records.database import normalize_url
from records.models import ConversationRow, QuestionLogRow

__all__ = ["Pruned", "prune", "secure_sqlite_file", "sqlite_path"]

OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR  # 0600


@dataclass(frozen=True)
class Pruned:
    """What a prune deleted."""

    conversations: int
    log_entries: int
    cutoff: datetime | None


def prune(engine: Engine, days: int, *, now: datetime | None = None) -> Pruned:
    """Delete conversations (with their messages, feedback, threads, escalations) not updated for
    ``days`` days, and question-log entries older than that. ``days == 0`` keeps everything."""
    if days <= 0:
        return Pruned(0, 0, None)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    with Session(engine) as session, session.begin():
        # Messages, feedback, Slack threads and escalations go with their conversation (ON DELETE
        # CASCADE; SQLite enforces it because records.database turns foreign keys on).
        gone = session.execute(delete(ConversationRow).where(ConversationRow.updated_at < cutoff))
        logged = session.execute(delete(QuestionLogRow).where(QuestionLogRow.created_at < cutoff))
        return Pruned(int(gone.rowcount or 0), int(logged.rowcount or 0), cutoff)  # type: ignore[attr-defined]


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite database URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def secure_sqlite_file(url: str) -> None:
    """Create the SQLite database file readable and writable by its owner only (0600), or make an
    existing one so. SQLite gives its -wal and -shm files the database file's permissions."""
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY)
    os.close(fd)
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists() and stat.S_IMODE(each.stat().st_mode) != OWNER_ONLY:
            each.chmod(OWNER_ONLY)
