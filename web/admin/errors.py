"""Errors of the advisors' area at the HTTP edge: the same body shape as web/errors.py
(``{"detail": ..., "key": ...}``), texts from curation.messages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from curation.messages import text
from records.errors import KeyedError

STATUS_BY_KEY = {
    "not_authenticated": status.HTTP_401_UNAUTHORIZED,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "admins_only": status.HTTP_403_FORBIDDEN,
    "entry_not_found": status.HTTP_404_NOT_FOUND,
    "csrf": status.HTTP_403_FORBIDDEN,
    "too_many_files": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "document_not_found": status.HTTP_404_NOT_FOUND,
    "upload_not_found": status.HTTP_404_NOT_FOUND,
    "original_missing": status.HTTP_404_NOT_FOUND,
    "account_not_found": status.HTTP_404_NOT_FOUND,
    "account_exists": status.HTTP_409_CONFLICT,
}


class AdminError(KeyedError):
    """A request the advisors' area refuses; carries a message key, never text for the user."""


def admin_error_response(key: str, **params: Any) -> JSONResponse:
    code = STATUS_BY_KEY.get(key, status.HTTP_422_UNPROCESSABLE_CONTENT)
    headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
    return JSONResponse({"detail": text(key, None, **params), "key": key}, status_code=code, headers=headers)


async def _handle(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KeyedError)
    return admin_error_response(exc.key, **exc.params)


def install_admin_error_handlers(app: FastAPI) -> None:
    # Accounts, documents and the area's own refusals alike.
    app.add_exception_handler(KeyedError, _handle)
