"""Request and response bodies of the JSON API (they also make the OpenAPI docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.types import Language

# Questions and search queries are limited by the server's setting ``max_question_chars`` (2000 by
# default), which a static schema cannot know; the core enforces it for a question, the search route
# for a query, both answering 422 "question_too_long".
QUESTION_DOC = "at most `max_question_chars` characters, a server setting (2000 by default)"


class ChatRequest(BaseModel):
    message: str = Field(description=f"The question, in Swedish or English; {QUESTION_DOC}.")
    conversation_id: str | None = Field(
        default=None, max_length=64, description="Continue this conversation."
    )
    language: Language | None = Field(default=None, description="Answer language; detected when omitted.")


class SearchRequest(BaseModel):
    query: str = Field(description=f"What to search for; {QUESTION_DOC}.")
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
    conversation_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=4000)


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
