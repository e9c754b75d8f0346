"""``serve``: run the web app under uvicorn (what ``advisor serve`` calls)."""

from __future__ import annotations

import uvicorn

from assistant.errors import InvalidInputError, WorkersNeedServerError
from assistant.settings import Settings
from records import upgrade_database


def check_workers(workers: int, settings: Settings) -> None:
    """Refuse several worker processes on the embedded Chroma, which is not process-safe.

    Two processes writing one PersistentClient folder can corrupt it or hang (chromadb issue #7040
    reports a 16-minute hang); a ``chroma run`` server serialises access for all workers.
    """
    if workers < 1:
        raise InvalidInputError("--workers ≥ 1")
    if workers > 1 and settings.chroma_url is None:
        raise WorkersNeedServerError(workers=workers)


def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Serve the chat page and API on ``host:port`` until interrupted."""
    check_workers(workers, settings)
    # Once, before any worker starts, so that workers find the schema current instead of racing.
    upgrade_database(settings.sql_url)
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
