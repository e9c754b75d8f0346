"""``serve``: run the web app under uvicorn (what ``advisor serve`` calls)."""

from __future__ import annotations

import logging

import uvicorn

from assistant.errors import InvalidInputError, WorkersNeedServerError
from assistant.settings import Settings
from records import build_engine, upgrade_database
from records.retention import Pruned, prune, secure_sqlite_file

log = logging.getLogger(__name__)


def check_workers(workers: int, settings: Settings) -> None:
    """Refuse several worker processes on the embedded Chroma, which is not process-safe.

    Two processes writing one PersistentClient folder can corrupt it or hang (chromadb issue #7040
    reports a 16-minute hang); a ``chroma run`` server serialises access for all workers.
    """
    if workers < 1:
        raise InvalidInputError("--workers ≥ 1")
    if workers > 1 and settings.chroma_url is None:
        raise WorkersNeedServerError(workers=workers)


def prepare_records(settings: Settings) -> Pruned:
    """Before the server starts: the records database owner-only, its schema current (once, before
    any worker starts, so that workers do not race), and what is past retention deleted."""
    secure_sqlite_file(settings.sql_url)
    upgrade_database(settings.sql_url)
    engine = build_engine(settings.sql_url)
    try:
        pruned = prune(engine, settings.retention_days)
    finally:
        engine.dispose()
    if pruned.conversations or pruned.log_entries:
        log.info(
            "retention: deleted %d conversations and %d log entries older than %d days",
            pruned.conversations,
            pruned.log_entries,
            settings.retention_days,
        )
    return pruned


def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Serve the chat page and API on ``host:port`` until interrupted."""
    check_workers(workers, settings)
    prepare_records(settings)
    if workers == 1:
        from web.main import create_app

        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, log_level="info")
        return
    # Worker processes import the app themselves, so each builds its settings from the environment
    # (ADVISOR_* and .env) — the same source ``settings`` came from when the CLI made it.
    uvicorn.run(
        "web.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )
