"""The HTTP edge of error handling: domain errors and bad requests become one-line user messages.

Every error the API answers has one shape, ``{"detail": <text>, "key": <message key>}`` (``ErrorOut``),
whether it comes from the core, from validation, from routing (404, 405) or from the middleware (a
refused host, a body too large, a rate limit). Texts come from ``assistant.messages``, and for what
only the HTTP edge refuses, from ``WEB_MESSAGES`` here. A message is given in the request's language when the client named one, otherwise in
Swedish followed by English. Exception text never reaches a response.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    "invalid_text": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "bad_request": status.HTTP_400_BAD_REQUEST,
    "invalid_host": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "method_not_allowed": status.HTTP_405_METHOD_NOT_ALLOWED,
    "body_too_large": status.HTTP_413_CONTENT_TOO_LARGE,
    "unsupported_media_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "busy": status.HTTP_503_SERVICE_UNAVAILABLE,
}

# What only the HTTP edge refuses; the core's sentences are in assistant.messages.
WEB_MESSAGES: dict[str, dict[str, str]] = {
    "invalid_text": {
        "sv": "Texten innehåller tecken som inte går att läsa ({detail}). Skriv om den och försök igen.",
        "en": "The text contains characters that cannot be read ({detail}). Please retype it and try again.",
    },
    "bad_request": {
        "sv": "Förfrågan gick inte att läsa.",
        "en": "The request could not be read.",
    },
    "invalid_host": {
        "sv": "Okänd värd i förfrågan.",
        "en": "Unknown host in the request.",
    },
    "not_found": {
        "sv": "Det finns inget här.",
        "en": "Nothing here.",
    },
    "method_not_allowed": {
        "sv": "Metoden stöds inte här.",
        "en": "Method not allowed here.",
    },
    "body_too_large": {
        "sv": "Förfrågan är för stor (högst {limit} byte).",
        "en": "The request is too large (at most {limit} bytes).",
    },
    "unsupported_media_type": {
        "sv": "Skicka innehållet som JSON.",
        "en": "Send the content as JSON.",
    },
    "rate_limited": {
        "sv": "För många frågor på kort tid. Vänta {retry_after} sekunder och försök igen.",
        "en": "Too many questions in a short time. Wait {retry_after} seconds and try again.",
    },
    "busy": {
        "sv": "Många frågar just nu. Försök igen om en stund.",
        "en": "Many people are asking right now. Please try again shortly.",
    },
}


class ErrorOut(BaseModel):
    """Every error response of the API."""

    detail: str = Field(description="One user-facing line: Swedish / English, or the request's language.")
    key: str = Field(description="A stable message key, e.g. `question_too_long`, `rate_limited`.")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status it may answer with an error, all as ``ErrorOut``."""
    described = {
        400: "The request could not be read, or its Host is not allowed.",
        404: "No such resource.",
        413: "The request body is larger than the server accepts.",
        415: "The body is not JSON.",
        422: "The input is not acceptable (empty, too long, unreadable characters, invalid fields).",
        429: "Too many requests from this client; see Retry-After.",
        500: "Our failure; the text says only that.",
        503: "The index, the language model or the server's capacity is not available now.",
    }
    # The model puts ErrorOut among the components; the content says it comes as JSON even from a
    # route whose success is a stream (``web.schemas.describe`` drops the stream type from errors).
    json = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    return {code: {"model": ErrorOut, "description": described[code], "content": json} for code in codes}


def text(key: str, language: str | None = None, **params: Any) -> str:
    """The user-facing text for ``key``: in ``language``, or Swedish / English when it is None."""
    if language is None:
        return f"{text(key, 'sv', **params)} / {text(key, 'en', **params)}"
    texts = WEB_MESSAGES.get(key)
    if texts is None:
        return message(key, language, **params)
    try:
        return (texts.get(language) or texts["sv"]).format(**params)
    except (KeyError, IndexError):
        return message("internal", language)


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


# Refusals a client should retry later, and after how many seconds.
RETRY_AFTER = {"busy": "5"}


async def _user_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UserError)
    response = error_response(exc.key, exc.language, **exc.params)
    if exc.key in RETRY_AFTER:
        response.headers["retry-after"] = RETRY_AFTER[exc.key]
    return response


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
    if first.get("type") == "invalid_text":  # web.schemas: a lone surrogate, not a Python message
        return error_response("invalid_text", None, detail=where or "text")
    if first.get("type") == "empty_question":  # web.schemas: the core's rule, checked at the edge too
        return error_response("empty_question", _language_of(exc.body))
    detail = f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    response = error_response("invalid_input", None, detail=detail)
    response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    return response


def _language_of(body: Any) -> str | None:
    """The language a refused JSON body asked for, when it named a valid one."""
    language = body.get("language") if isinstance(body, dict) else None
    return language if language in ("sv", "en") else None


# Routing and parsing refusals raised by Starlette/FastAPI, by status.
_KEY_BY_STATUS = {
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_413_CONTENT_TOO_LARGE: "body_too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    key = _KEY_BY_STATUS.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal")
    response = error_response(key)
    response.status_code = exc.status_code
    for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
        response.headers[name] = value
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # Starlette names the methods of the first route that matched the path; a path served by
        # several routes (GET and POST /api/documents) allows the methods of all of them.
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """The methods the API documents for this path (every route serving it), by its OpenAPI paths."""
    paths = request.app.openapi().get("paths", {})
    if request.url.path in paths:  # a literal path ("/api/documents/reindex") is its own resource
        return sorted(m.upper() for m in paths[request.url.path])
    methods: set[str] = set()
    for template, operations in paths.items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response("internal")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(AdvisorError, _advisor_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
