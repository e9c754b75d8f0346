"""``GET /``: the chat page, also at ``/c/{id}`` (opening a stored conversation, e.g. from Slack).

Its script and styles are served from ``/static`` by the app itself."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

STATIC_DIR = FilePath(__file__).resolve().parent.parent / "static"

# Everything the page needs comes from this server; nothing inline, nothing from a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(tags=["page"])


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return _page()


@router.get("/c/{conversation_id}", include_in_schema=False)
def conversation_page(conversation_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")]) -> FileResponse:
    """A stored conversation by its unguessable id (the link under a Slack answer): the chat page,
    which adopts the id from its address and restores the conversation from the server."""
    del conversation_id  # checked by its pattern; the page reads it from its address
    return _page()


def _page() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-cache",
        },
    )
