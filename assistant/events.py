"""The events the core yields while it answers; front-ends only translate these."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.types import Citation, Passage


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Sources:
    citations: list[Citation]


@dataclass(frozen=True)
class Done:
    refused: bool
    mode: str  # "llm" | "extractive"
    answer: str
    language: str
    query: str = ""
    top_chunk_ids: list[str] = field(default_factory=list)  # the passages the answer was given
    # Everything retrieval ranked, best first (more than top_chunk_ids when answer() was asked for k),
    # and the time it took: what an evaluation scores, so it measures the path a user's question takes.
    retrieved: list[Passage] = field(default_factory=list)
    retrieval_ms: float | None = None
    # For the advisors' review: the evidence score the refusal rule read, and how the question ended:
    # "answered", "no_evidence" (the gate or the model declined) or "injection".
    evidence: float | None = None
    outcome: str = "answered"


@dataclass(frozen=True)
class Error:
    key: str  # a key into assistant.messages
    message: str


Event = Token | Sources | Done | Error
