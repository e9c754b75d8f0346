"""The advisors' area: its API (documents) and, later, its pages; ``install`` adds it to the app."""

from __future__ import annotations

from fastapi import FastAPI

from web.admin import api
from web.admin.deps import shutdown
from web.admin.errors import install_admin_error_handlers

__all__ = ["install", "shutdown"]


def install(app: FastAPI) -> None:
    app.state.accounts = None
    app.state.documents = None
    app.state.ingest_worker = None
    install_admin_error_handlers(app)
    app.include_router(api.router)
