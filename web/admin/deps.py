"""Dependencies of the advisors' area: accounts, the documents service and its worker.

Built on first use and kept on ``app.state`` like the core (see web.deps); ``shutdown`` stops the
worker and closes the databases when the app stops.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from curation.documents import Documents
from curation.worker import IngestWorker
from records.accounts import Accounts
from records.documents import Uploads
from records.review import Review
from web.deps import get_assistant

_lock = threading.Lock()


def get_accounts(request: Request) -> Accounts:
    state = request.app.state
    with _lock:
        if getattr(state, "accounts", None) is None:
            state.accounts = Accounts.from_url(state.settings.sql_url)
    accounts: Accounts = state.accounts
    return accounts


def get_documents(request: Request) -> Documents:
    state = request.app.state
    store = get_assistant(request).store  # the server's one store: its indexes have one writer
    accounts = get_accounts(request)
    with _lock:
        if getattr(state, "documents", None) is None:
            settings = state.settings
            state.documents = Documents(
                store,
                Uploads.from_url(settings.sql_url),
                settings.uploads_path,
                max_bytes=settings.upload_limit_mb * 1024 * 1024,
                audit=accounts.audit,
            )
    documents: Documents = state.documents
    return documents


def get_review(request: Request) -> Review:
    state = request.app.state
    with _lock:
        if getattr(state, "review", None) is None:
            state.review = Review.from_url(state.settings.sql_url)
    review: Review = state.review
    return review


def get_worker(request: Request) -> IngestWorker:
    documents = get_documents(request)
    state = request.app.state
    with _lock:
        if getattr(state, "ingest_worker", None) is None:
            state.ingest_worker = IngestWorker(documents)
    worker: IngestWorker = state.ingest_worker
    worker.start()
    return worker


def shutdown(app: FastAPI) -> None:
    """Stop the worker (it finishes the file in hand) and close the area's databases."""
    state = app.state
    worker = getattr(state, "ingest_worker", None)
    if worker is not None:
        worker.stop()
    documents = getattr(state, "documents", None)
    if documents is not None:
        documents.uploads.dispose()
    for name in ("accounts", "review"):
        held = getattr(state, name, None)
        if held is not None:
            held.dispose()


ReviewDep = Annotated[Review, Depends(get_review)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
DocumentsDep = Annotated[Documents, Depends(get_documents)]
WorkerDep = Annotated[IngestWorker, Depends(get_worker)]
