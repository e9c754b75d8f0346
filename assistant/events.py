"""The events the core yields while it answers; front-ends only translate these."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.types import Citation


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
    top_chunk_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Error:
    key: str  # a key into assistant.messages
    message: str


Event = Token | Sources | Done | Error
