"""Request and response bodies of the JSON API (they also make the OpenAPI docs)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from assistant.types import Language

# Questions and search queries are limited by the server's setting ``max_question_chars`` (2000 by
# default), which a static schema cannot know: ``document_limits`` writes it into each app's OpenAPI
# document, and the routes enforce it (422 "question_too_long").
QUESTION_DOC = "at most `max_question_chars` characters, a server setting (2000 by default)"
# Something other than white space: an empty or blank question is refused (422 "empty_question").
NOT_BLANK = r"\S"


def _readable(value: str) -> str:
    """Refuse text no encoder can write: a lone surrogate (``"\\ud800"`` in JSON) is not a character."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise PydanticCustomError("invalid_text", "lone surrogate")
    return value


# Any free text a client sends: it must be encodable (UTF-8) before anything stores or searches it.
Text = Annotated[str, AfterValidator(_readable)]
Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_readable)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty_question", "blank")
    return value


# A question or query: readable, not blank. The blank check is Python's (``str.strip``), the same
# rule the core applies; the schema states it as a pattern for clients and fuzzers.
Question = Annotated[
    str,
    Field(json_schema_extra={"pattern": NOT_BLANK}),
    AfterValidator(_readable),
    AfterValidator(_not_blank),
]


class ChatRequest(BaseModel):
    message: Question = Field(description=f"The question, in Swedish or English; {QUESTION_DOC}.")
    conversation_id: Id | None = Field(default=None, description="Continue this conversation.")
    language: Language | None = Field(default=None, description="Answer language; detected when omitted.")


class SearchRequest(BaseModel):
    query: Question = Field(description=f"What to search for; {QUESTION_DOC}.")
    k: int = Field(default=10, ge=1, le=50)


class PassageOut(BaseModel):
    rank: int
    score: float
    scores: dict[str, float]
    chunk_id: str
    title: str
    location: str
    section_ref: str | None
    heading_path: list[str]
    page: int | None
    url: str | None
    source: str
    text: str


class SearchResponse(BaseModel):
    query: str
    results: list[PassageOut]


class FeedbackRequest(BaseModel):
    conversation_id: Id
    message_id: Id
    rating: Literal["up", "down"]
    comment: Text | None = Field(default=None, max_length=4000)


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    documents: int
    chunks: int
    llm: bool
    mode: str | None = None
    embedding_model: str | None = None
    llm_model: str | None = None
    detail: str | None = None


class MessageOut(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    content: str
    citations: list[dict[str, Any]]
    refused: bool | None
    mode: str | None
    language: str | None
    created_at: str | None
    feedback: dict[str, Any] | None


class ConversationOut(BaseModel):
    id: str
    language: str
    created_at: str | None
    updated_at: str | None
    messages: list[MessageOut]


def describe(openapi: dict[str, Any], max_question_chars: int, max_upload_files: int = 20) -> dict[str, Any]:
    """``openapi`` made to say what this server does: its question limit (a setting) as ``maxLength``
    of questions and queries, and errors as JSON only, also on the streaming chat route."""
    schemas = openapi.get("components", {}).get("schemas", {})
    for model, field in (("ChatRequest", "message"), ("SearchRequest", "query"), ("BenchRequest", "query")):
        prop = schemas.get(model, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["maxLength"] = max_question_chars
            prop["minLength"] = 1
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in openapi.get("paths", {}).items():
        for operation in operations.values():
            _document_errors(path, operation, error)
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code == "422" and "HTTPValidationError" in str(content):
                    # FastAPI's default; web.errors answers every validation error as ErrorOut.
                    response["content"] = {"application/json": {"schema": error}}
                elif code[:1] in ("4", "5") and "application/json" in content:
                    content.pop("text/event-stream", None)
    # An upload names at least one file and at most the setting's number (FastAPI says neither).
    files = schemas.get("Body_upload_api_documents_post", {}).get("properties", {}).get("files")
    if files is not None:
        files["minItems"] = 1
        files["maxItems"] = max_upload_files
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return openapi


# The advisors' routes: a token is needed (401 without one), and an advisor's role (403 otherwise).
PROTECTED_TAGS = {"documents", "review"}


def _document_errors(path: str, operation: dict[str, Any], error: dict[str, Any]) -> None:
    """The refusals every route can give, as ``ErrorOut``: an unreadable request (400), an id that
    names nothing (404), and on the advisors' routes no token (401) or not an advisor's (403)."""
    responses = operation.setdefault("responses", {})
    needed = {"400": "The request could not be read."}
    if "{" in path:
        needed["404"] = "Nothing with that id."
    if PROTECTED_TAGS & set(operation.get("tags", [])):
        needed["401"] = "No valid token or session."
        needed["403"] = (
            "Signed in, but not allowed (a procurer, a disabled account, or a form without its CSRF token)."
        )
    for code, description in needed.items():
        responses.setdefault(
            code, {"description": description, "content": {"application/json": {"schema": error}}}
        )


# Each Server-Sent Event of ``POST /api/chat``, as a client parses it: its name and its JSON data.
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["token", "sources", "done", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "required": ["event", "data"],
}
