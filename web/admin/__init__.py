"""The advisors' area: its API (documents) and its pages (``/admin``); ``install`` adds both."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware import Middleware

from web.admin import accounts, api, escalations, pages, review, review_api, vocabulary
from web.admin.chat_gate import ChatSignIn
from web.admin.deps import shutdown
from web.admin.errors import install_admin_error_handlers

__all__ = ["install", "shutdown"]


def install(app: FastAPI) -> None:
    app.state.accounts = None
    app.state.documents = None
    app.state.ingest_worker = None
    app.state.review = None
    install_admin_error_handlers(app)
    app.add_exception_handler(pages.SignInNeeded, pages.sign_in_redirect)
    app.include_router(api.router)
    app.include_router(review_api.router)
    app.include_router(pages.router)
    app.include_router(pages.form_router)
    app.include_router(review.router)
    app.include_router(escalations.router)
    app.include_router(accounts.router)
    app.include_router(vocabulary.router)
    # Innermost (after the host, body and header guards), and only at work when the chat requires
    # sign-in (ADVISOR_CHAT_REQUIRES_SIGN_IN).
    app.user_middleware.append(Middleware(ChatSignIn))
    app.mount("/admin/static", StaticFiles(directory=pages.HERE / "static"), name="admin-static")
