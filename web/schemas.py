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


def document_limits(openapi: dict[str, Any], max_question_chars: int) -> dict[str, Any]:
    """``openapi`` with this server's question limit as ``maxLength`` of questions and queries."""
    schemas = openapi.get("components", {}).get("schemas", {})
    for model, field in (("ChatRequest", "message"), ("SearchRequest", "query")):
        prop = schemas.get(model, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["maxLength"] = max_question_chars
            prop["minLength"] = 1
    return openapi
