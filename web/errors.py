"""The HTTP edge of error handling: domain errors and bad requests become one-line user messages.

Texts come from ``assistant.messages``. A message is given in the request's language when the client named one, otherwise in
Swedish followed by English. Exception text never reaches a response.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import AdvisorError
from assistant.messages import message

log = logging.getLogger(__name__)

# The HTTP status each message key stands for; anything unlisted is our fault (500).
STATUS_BY_KEY = {
    "empty_question": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "question_too_long": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "invalid_input": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "conversation_not_found": status.HTTP_404_NOT_FOUND,
    "message_not_found": status.HTTP_404_NOT_FOUND,
    "store_unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
    "llm_unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
    "empty_index": status.HTTP_503_SERVICE_UNAVAILABLE,
    "embedding_mismatch": status.HTTP_503_SERVICE_UNAVAILABLE,
    "configuration": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def text(key: str, language: str | None = None, **params: Any) -> str:
    """The user-facing text for ``key``: in ``language``, or Swedish / English when it is None."""
    if language is None:
        return f"{text(key, 'sv', **params)} / {text(key, 'en', **params)}"
    return message(key, language, **params)


class UserError(Exception):
    """A request the web layer refuses; carries a message key, never text for the user."""

    def __init__(self, key: str, language: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.language = language
        self.params = params


def error_response(key: str, language: str | None = None, **params: Any) -> JSONResponse:
    return JSONResponse(
        {"detail": text(key, language, **params), "key": key},
        status_code=STATUS_BY_KEY.get(key, status.HTTP_500_INTERNAL_SERVER_ERROR),
    )


async def _user_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UserError)
    return error_response(exc.key, exc.language, **exc.params)


async def _advisor_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AdvisorError)
    response = error_response(exc.key, None, detail=exc.detail, **exc.params)
    if response.status_code >= 500:  # ours or a dependency's failure; a refused input is not worth a trace
        log.warning("%s %s failed: %s", request.method, request.url.path, exc.key, exc_info=exc)
    return response


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    detail = f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    response = error_response("invalid_input", None, detail=detail)
    response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response("internal")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(AdvisorError, _advisor_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
