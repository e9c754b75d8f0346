"""``create_app``: assembles settings, routers, error handlers, static files and the API docs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from assistant.settings import Settings, get_settings
from ingest.lock import hold_for_process
from ingest.offline import opt_out_of_network
from web import admin
from web.errors import install_error_handlers
from web.metrics import install_metrics
from web.middleware import install_guards
from web.routers import chat, conversations, feedback, health, page, search
from web.slack import mount_slack, slack_running

log = logging.getLogger(__name__)

DESCRIPTION = """Ask questions about innovation procurement and get answers cited from the indexed
documents. `POST /api/chat` streams Server-Sent Events; the chat page is at `/`."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    release = await asyncio.to_thread(_hold_the_index, app.state.settings)
    try:
        async with slack_running(app):  # Socket Mode when configured; Slack answers drained at shutdown
            yield
    finally:
        await asyncio.to_thread(release)
    await asyncio.to_thread(admin.shutdown, app)  # the ingest worker finishes the file in hand
    if app.state.conversations is not None:
        app.state.conversations.dispose()


def _hold_the_index(settings: Settings) -> Callable[[], None]:
    """With the embedded store the server is the only process that may write its indexes (Chroma's
    folder is not safe for two): it holds the writer lock while it runs, so `advisor ingest` waits and
    says why. Uploads in the server take turns inside it. A Chroma server needs no such hold."""
    if settings.chroma_url is not None:
        return lambda: None

    def waiting(holder: str) -> None:
        log.warning("waiting for another writer of the index to finish (%s)", holder)

    return hold_for_process(settings, on_wait=waiting)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app. ``settings`` defaults to the environment's (``get_settings()``)."""
    opt_out_of_network()
    app = _fastapi(
        title="Rådgivare för innovationsupphandling",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings or get_settings()
    app.state.assistant = None  # built on first use, see web.deps
    app.state.conversations = None
    install_error_handlers(app)
    install_guards(app)  # security headers, Host check, body size, rate limits, answer slots
    install_metrics(app)  # outermost when on, so refusals by the guards are counted too
    for module in (chat, search, feedback, conversations, health, page):
        app.include_router(module.router)
    admin.install(app)
    if app.state.settings.slack_enabled:
        mount_slack(app)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR), name="static")
    return app


def _fastapi(**kwargs: Any) -> FastAPI:
    """FastAPI whose /docs and /redoc load their scripts from this server, not from a CDN."""
    app: FastAPI = FastAPIOffline(static_url="/static-docs", **kwargs)
    return app
