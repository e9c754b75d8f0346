"""The records that cross module boundaries: chunks in the store, passages out of retrieval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The languages the assistant answers in: of a question, a document, a setting, an API field.
Language = Literal["sv", "en"]


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit of a document, with everything a citation needs."""

    id: str
    doc_id: str
    text: str
    title: str
    source: str
    heading_path: tuple[str, ...] = ()
    section_ref: str | None = None  # e.g. "LOU 6 kap. 31 §"
    law: str | None = None
    chapter: str | None = None  # "19 a"
    paragraph: str | None = None  # "2" or "3 a"
    page: int | None = None
    url: str | None = None
    language: str = "sv"
    tags: tuple[str, ...] = ()
    content_hash: str = ""
    ordinal: int = 0
    # Why ingest flagged the passage as possible injection ("instruction: …", "hidden_text: …",
    # see ingest/screening.py); flagged passages stay indexed but are never quoted as guidance.
    flagged: str | None = None

    @property
    def location(self) -> str:
        """Where in the document the chunk stands, as a reader would cite it."""
        if self.section_ref:
            return self.section_ref
        return " › ".join(self.heading_path)


@dataclass
class Passage:
    """A chunk as retrieval returned it: its rank and the scores that put it there."""

    chunk: Chunk
    rank: int = 0
    score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)
    exact_reference: bool = False

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass(frozen=True)
class Citation:
    """A passage as shown to the user under the number it has in the answer."""

    n: int
    title: str
    location: str
    page: int | None
    url: str | None
    source: str
    snippet: str
    text: str
    chunk_id: str

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "title": self.title,
            "location": self.location,
            "page": self.page,
            "url": self.url,
            "source": self.source,
            "snippet": self.snippet,
            "text": self.text,
            "chunk_id": self.chunk_id,
        }


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str
